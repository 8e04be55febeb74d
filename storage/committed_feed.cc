#include "storage/committed_feed.h"

#include <string>
#include <utility>

namespace logbook::storage {
namespace {

// The writer takes one spare per commit, and the reader returns them in
// bursts, once per wakeup (every 100 ms when idle, storage/snapshotter.h): the
// spares must last the commits of a whole wakeup (~100-200 at 1-2k commits/s),
// or the loop allocates every batch it fills in between. So spares are bounded
// by the memory they hold, which is what a burst of requests put in flight
// anyway: ~200 B per renewal, 4 MiB covers 100 ms at ~200k renewals/s.
constexpr std::size_t kMaxSpareHeldBytes = std::size_t{4} << 20;
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

// The heap a spare chunk keeps: buffers, not contents (a recycled value's
// capacity outlives its size).
std::size_t HeldBytes(const CommittedChunk& chunk) {
  std::size_t bytes = chunk.capacity() * sizeof(EncodedBatch);
  for (const EncodedBatch& batch : chunk) {
    bytes += batch.values.capacity() * sizeof(std::string);
    for (const std::string& value : batch.values) bytes += value.capacity();
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
    chunk->swap(spare_.back().chunk);
    spare_held_bytes_ -= spare_.back().held_bytes;
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
  held_sizes_.clear();
  for (CommittedChunk& chunk : *done) {
    if (ChunkBytes(chunk) > kMaxSpareChunkBytes) chunk.clear();
    held_sizes_.push_back(chunk.empty() ? 0 : HeldBytes(chunk));
  }
  {
    absl::MutexLock lock(&mu_);
    for (std::size_t i = 0; i < done->size(); ++i) {
      CommittedChunk& chunk = (*done)[i];
      if (chunk.empty()) continue;
      if (spare_held_bytes_ + held_sizes_[i] > kMaxSpareHeldBytes) break;
      spare_held_bytes_ += held_sizes_[i];
      spare_.push_back(SpareChunk{std::move(chunk), held_sizes_[i]});
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
