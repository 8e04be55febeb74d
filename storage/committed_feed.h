#pragma once
// The writer's committed batches, handed to one reader (the snapshotter) as
// they are: the encoded values move from the writer to the reader, so the
// reader neither copies them nor reads them back from RocksDB.
//
// Only what a successful group commit wrote is published, in commit order,
// so a reader that applies the batches sees exactly the committed events in
// offset order. The feed is bounded: a commit that would take it past
// `max_bytes` is not kept, and the reader finds the gap by offset and reads
// that range from the log instead. Nothing is kept while the feed is closed.
//
// Thread: Publish() on the writer thread; Open/Close/Take/Recycle on the
// reader's; stats from any.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "storage/group_commit_writer.h"

namespace logbook::storage {

// One group commit's batches, in offset order.
using CommittedChunk = std::vector<EncodedBatch>;

struct CommittedFeedStats {
  std::uint64_t chunks_published = 0;
  // Commits not kept because the reader was that far behind.
  std::uint64_t chunks_dropped = 0;
};

class CommittedFeed {
 public:
  explicit CommittedFeed(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  CommittedFeed(const CommittedFeed&) = delete;
  CommittedFeed& operator=(const CommittedFeed&) = delete;

  // From now on Publish() keeps commits for the reader.
  void Open();
  // Drops what is queued; Publish() keeps nothing until the next Open().
  void Close();

  // Writer thread, after a commit succeeded: moves `*chunk` into the feed when
  // open and within bounds, leaving in `*chunk` a chunk the reader is done
  // with (its batches, for the writer to reuse, never to write again) or
  // nothing; otherwise leaves `*chunk` alone.
  void Publish(CommittedChunk* chunk);

  // Moves every queued chunk, oldest first, to the end of `*out`.
  void Take(std::vector<CommittedChunk>* out);
  // Gives back chunks the reader is done with, batches and all: they go to
  // the writer's next Publish(), so their buffers are reused rather than
  // freed here. As many are kept as a few MiB of buffers hold, so that the
  // commits of one reader wakeup all get one. Leaves `*done` empty.
  void Recycle(std::vector<CommittedChunk>* done);

  CommittedFeedStats stats() const;

 private:
  const std::size_t max_bytes_;
  mutable absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<CommittedChunk> queued_ ABSL_GUARDED_BY(mu_);
  std::size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  struct SpareChunk {
    CommittedChunk chunk;
    std::size_t held_bytes = 0;
  };
  std::vector<SpareChunk> spare_ ABSL_GUARDED_BY(mu_);
  std::size_t spare_held_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Recycle()'s scratch (reader thread only), kept for its capacity.
  std::vector<std::size_t> held_sizes_;
  CommittedFeedStats stats_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logbook::storage
