#include "storage/committed_feed.h"

#include <string>
#include <utility>

namespace logbook::storage {
namespace {

// A few are enough: the writer takes one per commit and the reader returns
// them in bursts, once per wakeup.
constexpr std::size_t kMaxSpareChunks = 8;
// A larger commit's batches are freed by the reader rather than held while
// the writer may be idle (the writer keeps only small batches anyway).
constexpr std::size_t kMaxSpareChunkBytes = std::size_t{256} << 10;

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
  chunk->clear();  // moved from: make it empty for sure
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
  // Sized outside the lock; an emptied chunk is not worth keeping.
  for (CommittedChunk& chunk : *done) {
    if (ChunkBytes(chunk) > kMaxSpareChunkBytes) chunk.clear();
  }
  {
    absl::MutexLock lock(&mu_);
    for (CommittedChunk& chunk : *done) {
      if (spare_.size() >= kMaxSpareChunks) break;
      if (chunk.empty()) continue;
      spare_.push_back(std::move(chunk));
    }
  }
  // Beyond the spares: freed here, outside the lock.
  done->clear();
}

CommittedFeedStats CommittedFeed::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace logbook::storage
