// The writer-to-snapshotter hand-over of committed batches: order, bounds,
// nothing kept while closed.
#include "storage/committed_feed.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace logbook::storage {
namespace {

// A commit of one batch of `count` values of `value_bytes` each from `first`.
CommittedChunk Chunk(core::Offset first, std::size_t count, std::size_t value_bytes = 10) {
  EncodedBatch batch;
  batch.first_offset = first;
  batch.values.assign(count, std::string(value_bytes, 'v'));
  CommittedChunk chunk;
  chunk.push_back(std::move(batch));
  return chunk;
}

std::vector<core::Offset> FirstOffsets(const std::vector<CommittedChunk>& chunks) {
  std::vector<core::Offset> offsets;
  for (const CommittedChunk& chunk : chunks) offsets.push_back(chunk.front().first_offset);
  return offsets;
}

TEST(CommittedFeed, KeepsNothingWhileClosed) {
  CommittedFeed feed(1 << 20);
  CommittedChunk chunk = Chunk(1, 3);
  feed.Publish(&chunk);
  EXPECT_EQ(chunk.size(), 1u) << "a closed feed must leave the commit with the writer";
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  EXPECT_TRUE(taken.empty());
  EXPECT_EQ(feed.stats().chunks_published, 0u);
}

TEST(CommittedFeed, HandsOverCommitsInOrderWithoutCopyingValues) {
  CommittedFeed feed(1 << 20);
  feed.Open();
  CommittedChunk first = Chunk(1, 2, 100);
  const char* first_value = first.front().values.front().data();
  CommittedChunk second = Chunk(3, 1);
  feed.Publish(&first);
  feed.Publish(&second);
  EXPECT_TRUE(first.empty());
  EXPECT_TRUE(second.empty());
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  EXPECT_EQ(FirstOffsets(taken), (std::vector<core::Offset>{1, 3}));
  // Moved, not copied: the reader sees the writer's own buffer.
  EXPECT_EQ(taken.front().front().values.front().data(), first_value);
  std::vector<CommittedChunk> again;
  feed.Take(&again);
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(feed.stats().chunks_published, 2u);
}

TEST(CommittedFeed, DropsCommitsPastItsBoundUntilTheReaderTakes) {
  CommittedFeed feed(250);
  feed.Open();
  CommittedChunk first = Chunk(1, 2, 100);   // 200 bytes: kept
  CommittedChunk second = Chunk(3, 1, 100);  // 300 queued would pass the bound
  feed.Publish(&first);
  feed.Publish(&second);
  EXPECT_TRUE(first.empty());
  ASSERT_EQ(second.size(), 1u) << "a commit the feed cannot hold stays with the writer";
  EXPECT_EQ(feed.stats().chunks_dropped, 1u);
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  EXPECT_EQ(FirstOffsets(taken), (std::vector<core::Offset>{1}));
  // Taken: the queue is empty again, so the next commit fits.
  CommittedChunk third = Chunk(4, 1, 100);
  feed.Publish(&third);
  EXPECT_TRUE(third.empty());
  // One commit larger than the bound is kept when nothing is queued, or a
  // reader could never be fed commits of that size.
  feed.Take(&taken);
  CommittedChunk big = Chunk(5, 10, 100);
  feed.Publish(&big);
  EXPECT_TRUE(big.empty());
  EXPECT_EQ(feed.stats().chunks_dropped, 1u);
}

TEST(CommittedFeed, CloseDropsWhatIsQueued) {
  CommittedFeed feed(1 << 20);
  feed.Open();
  CommittedChunk chunk = Chunk(1, 1);
  feed.Publish(&chunk);
  feed.Close();
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  EXPECT_TRUE(taken.empty());
}

TEST(CommittedFeed, RecycledChunksReturnToTheWriterWithTheirBuffers) {
  CommittedFeed feed(1 << 20);
  feed.Open();
  CommittedChunk chunk = Chunk(1, 1, 100);
  chunk.reserve(32);
  const char* value_buffer = chunk.front().values.front().data();
  feed.Publish(&chunk);
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  feed.Recycle(&taken);
  EXPECT_TRUE(taken.empty());
  CommittedChunk next = Chunk(2, 1);
  feed.Publish(&next);
  // The writer gets the reader's chunk back, batches and all, to reuse.
  EXPECT_GE(next.capacity(), 32u);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next.front().values.front().data(), value_buffer);
  std::vector<CommittedChunk> queued;
  feed.Take(&queued);
  EXPECT_EQ(FirstOffsets(queued), (std::vector<core::Offset>{2}));
}

// The reader returns chunks once per wakeup (100 ms when idle) while the
// writer publishes one per commit (~1-2k/s under load): each commit of that
// wakeup must find a spare, or the loop allocates every batch in between.
TEST(CommittedFeed, KeepsASpareForEveryCommitOfAReaderWakeup) {
  constexpr core::Offset kCommits = 200;
  CommittedFeed feed(1 << 20);
  feed.Open();
  for (core::Offset i = 1; i <= kCommits; ++i) {
    CommittedChunk chunk = Chunk(i, 1, 60);
    feed.Publish(&chunk);
  }
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  ASSERT_EQ(taken.size(), kCommits);
  feed.Recycle(&taken);
  std::size_t with_spare = 0;
  for (core::Offset i = 1; i <= kCommits; ++i) {
    CommittedChunk next = Chunk(kCommits + i, 1);
    feed.Publish(&next);
    if (next.size() == 1 && next.front().values.size() == 1) ++with_spare;
  }
  EXPECT_EQ(with_spare, kCommits);
}

// Spares are bounded by the buffers they hold, not kept without limit.
TEST(CommittedFeed, SparesAreBoundedByTheBytesTheyHold) {
  constexpr core::Offset kCommits = 100;
  CommittedFeed feed(std::size_t{1} << 30);
  feed.Open();
  for (core::Offset i = 1; i <= kCommits; ++i) {
    CommittedChunk chunk = Chunk(i, 1, 200 << 10);  // 200 KiB each: 20 MiB in all
    feed.Publish(&chunk);
  }
  std::vector<CommittedChunk> taken;
  feed.Take(&taken);
  feed.Recycle(&taken);
  std::size_t held = 0;
  for (core::Offset i = 1; i <= kCommits; ++i) {
    CommittedChunk next = Chunk(kCommits + i, 1);
    feed.Publish(&next);
    for (const EncodedBatch& batch : next) {
      for (const std::string& value : batch.values) held += value.capacity();
    }
  }
  EXPECT_GT(held, std::size_t{1} << 20);
  EXPECT_LE(held, std::size_t{4} << 20);
}

}  // namespace
}  // namespace logbook::storage
