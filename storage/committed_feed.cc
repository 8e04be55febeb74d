#include "storage/committed_feed.h"

#include <string>
#include <utility>

namespace logbook::storage {
namespace {

// A few are enough: the writer takes one per commit and the reader returns
// them in bursts, once per wakeup.
constexpr std::size_t kMaxSpareChunks = 8;

std::size_t ChunkBytes(const CommittedChunk& chunk) {
  std::size_t bytes = 0;
  for (const EncodedBatch& batch : chunk) {
    for (const std::string& value : batch.values) bytes += value.size();
  }
  return bytes;
}

}  // namespace

void CommittedFeed::Open() {
  absl::MutexLock lock(&mu_);
  open_ = true;
}

void CommittedFeed::Close() {
  std::vector<CommittedChunk> dropped;
  {
    absl::MutexLock lock(&mu_);
    open_ = false;
    dropped.swap(queued_);
    queued_bytes_ = 0;
  }
  // Freed outside the lock: the writer may be waiting to publish.
}

void CommittedFeed::Publish(CommittedChunk* chunk) {
  const std::size_t bytes = ChunkBytes(*chunk);
  absl::MutexLock lock(&mu_);
  if (!open_) return;
  if (queued_bytes_ + bytes > max_bytes_ && !queued_.empty()) {
    ++stats_.chunks_dropped;
    return;
  }
  ++stats_.chunks_published;
  queued_bytes_ += bytes;
  queued_.push_back(std::move(*chunk));
  chunk->clear();
  if (!spare_.empty()) {
    chunk->swap(spare_.back());
    spare_.pop_back();
  }
}

void CommittedFeed::Take(std::vector<CommittedChunk>* out) {
  absl::MutexLock lock(&mu_);
  if (out->empty()) {
    out->swap(queued_);
  } else {
    for (CommittedChunk& chunk : queued_) out->push_back(std::move(chunk));
    queued_.clear();
  }
  queued_bytes_ = 0;
}

void CommittedFeed::Recycle(std::vector<CommittedChunk>* done) {
  // The values are freed here, on the reader's thread, not under the lock.
  for (CommittedChunk& chunk : *done) chunk.clear();
  {
    absl::MutexLock lock(&mu_);
    for (CommittedChunk& chunk : *done) {
      if (spare_.size() >= kMaxSpareChunks) break;
      spare_.push_back(std::move(chunk));
    }
  }
  done->clear();
}

CommittedFeedStats CommittedFeed::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace logbook::storage
