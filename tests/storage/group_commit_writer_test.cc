#include "storage/group_commit_writer.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using testing::DurabilityRecorder;
using testing::TempDir;

EncodedBatch Batch(core::Offset first, int count) {
  EncodedBatch batch;
  batch.first_offset = first;
  for (int i = 0; i < count; ++i) batch.values.push_back("value-" + std::to_string(first + i));
  return batch;
}

class GroupCommitWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp_.path());
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  std::optional<std::string> Stored(core::Offset offset) {
    std::string value;
    const rocksdb::Status status =
        db_->raw()->Get(rocksdb::ReadOptions(), db_->events(), EventKey(offset), &value);
    if (!status.ok()) return std::nullopt;
    return value;
  }

  TempDir temp_;
  std::unique_ptr<Db> db_;
  DurabilityRecorder recorder_;
};

TEST_F(GroupCommitWriterTest, BatchesSubmittedBeforeStartAreOneGroupCommit) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kAlways, 0, recorder_.Callback());
  ASSERT_TRUE(writer.Submit(Batch(1, 1)).ok());
  ASSERT_TRUE(writer.Submit(Batch(2, 3)).ok());
  ASSERT_TRUE(writer.Submit(Batch(5, 1)).ok());
  EXPECT_EQ(writer.durable_offset(), 0u);
  writer.Start();
  ASSERT_TRUE(recorder_.WaitForDurable(5));
  EXPECT_EQ(writer.durable_offset(), 5u);
  const EventLogStats stats = writer.stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.events_written, 5u);
  EXPECT_EQ(stats.syncs, 1u);
  for (core::Offset offset = 1; offset <= 5; ++offset) {
    EXPECT_EQ(Stored(offset), "value-" + std::to_string(offset));
  }
  writer.Stop();
  ASSERT_EQ(recorder_.calls().size(), 1u);
  EXPECT_EQ(recorder_.calls()[0].first, 5u);
  EXPECT_TRUE(recorder_.calls()[0].second.ok());
}

TEST_F(GroupCommitWriterTest, CommitObserverSeesEachGroupCommitsEventsAndDuration) {
  std::vector<std::pair<std::uint64_t, std::int64_t>> commits;  // writer thread, read after Stop
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kAlways, 0, recorder_.Callback(),
                           {}, /*disk_full_probe_ms=*/250, [&commits](std::uint64_t events, std::int64_t write_ns) {
                             commits.emplace_back(events, write_ns);
                           });
  ASSERT_TRUE(writer.Submit(Batch(1, 1)).ok());
  ASSERT_TRUE(writer.Submit(Batch(2, 3)).ok());
  writer.Start();
  ASSERT_TRUE(recorder_.WaitForDurable(4));
  ASSERT_TRUE(writer.Submit(Batch(5, 2)).ok());
  writer.Stop();
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].first, 4u);
  EXPECT_EQ(commits[1].first, 2u);
  EXPECT_GT(commits[0].second, 0);  // a synced write takes some time
}

TEST_F(GroupCommitWriterTest, DeferredWakeupsWaitForWakeUpAndGoAsOneGroupCommit) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kAlways, 0, recorder_.Callback());
  writer.DeferWakeups();
  writer.Start();
  ASSERT_TRUE(writer.Submit(Batch(1, 1)).ok());
  ASSERT_TRUE(writer.Submit(Batch(2, 3)).ok());
  // Not handed over yet: the writer, although idle, must not take them.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(writer.durable_offset(), 0u);
  EXPECT_TRUE(recorder_.calls().empty());
  writer.WakeUp();
  ASSERT_TRUE(recorder_.WaitForDurable(4));
  EXPECT_EQ(writer.stats().batches, 1u);
  // Stop() writes what was queued and never handed over.
  ASSERT_TRUE(writer.Submit(Batch(5, 2)).ok());
  writer.Stop();
  EXPECT_EQ(writer.durable_offset(), 6u);
  EXPECT_EQ(Stored(6), "value-6");
  EXPECT_EQ(writer.stats().batches, 2u);
}

TEST_F(GroupCommitWriterTest, WrittenBatchesComeBackThroughSubmitForReuse) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kNone, 0, recorder_.Callback());
  writer.Start();
  // Long enough to live on the heap, so its buffer is recognisable.
  const std::string long_value(200, 'x');
  EncodedBatch first;
  first.first_offset = 1;
  first.values.push_back(long_value);
  const char* first_buffer = first.values.front().data();
  EncodedBatch spare;
  ASSERT_TRUE(writer.Submit(std::move(first), &spare).ok());
  EXPECT_TRUE(spare.values.empty()) << "nothing was written yet, so nothing is spare";
  ASSERT_TRUE(recorder_.WaitForDurable(1));
  ASSERT_TRUE(writer.Submit(Batch(2, 1), &spare).ok());
  // The written batch, contents and all: the caller reuses its buffers.
  ASSERT_EQ(spare.values.size(), 1u);
  EXPECT_EQ(spare.values.front().data(), first_buffer);
  EXPECT_EQ(spare.values.front(), long_value);
  ASSERT_TRUE(recorder_.WaitForDurable(2));
  writer.Stop();
  EXPECT_EQ(Stored(1), long_value);
  EXPECT_EQ(Stored(2), "value-2");
}

TEST_F(GroupCommitWriterTest, StopWritesWhatIsPendingEvenIfNeverStarted) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kAlways, 0, recorder_.Callback());
  ASSERT_TRUE(writer.Submit(Batch(1, 2)).ok());
  writer.Stop();
  EXPECT_EQ(writer.durable_offset(), 2u);
  EXPECT_EQ(Stored(2), "value-2");
  writer.Stop();  // idempotent
}

TEST_F(GroupCommitWriterTest, SubmitAfterStopFails) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kAlways, 0, recorder_.Callback());
  writer.Start();
  writer.Stop();
  EXPECT_EQ(writer.Submit(Batch(1, 1)).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(GroupCommitWriterTest, ContinuesFromTheDurableOffsetItIsGiven) {
  GroupCommitWriter writer(db_->raw(), db_->events(), SyncPolicy::kNone, 41, recorder_.Callback());
  EXPECT_EQ(writer.durable_offset(), 41u);
  writer.Start();
  ASSERT_TRUE(writer.Submit(Batch(42, 2)).ok());
  ASSERT_TRUE(recorder_.WaitForDurable(43));
  EXPECT_EQ(Stored(43), "value-43");
  EXPECT_EQ(writer.stats().syncs, 0u);  // sync=none never syncs the WAL
}

TEST_F(GroupCommitWriterTest, FailedWriteIsLatchedAndReported) {
  // Writing to a dropped column family fails inside rocksdb::DB::Write: a
  // real write failure without a broken disk.
  rocksdb::ColumnFamilyHandle* dropped = nullptr;
  ASSERT_TRUE(
      db_->raw()->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "doomed", &dropped).ok());
  ASSERT_TRUE(db_->raw()->DropColumnFamily(dropped).ok());
  {
    GroupCommitWriter writer(db_->raw(), dropped, SyncPolicy::kAlways, 0, recorder_.Callback());
    writer.Start();
    ASSERT_TRUE(writer.Submit(Batch(1, 2)).ok());
    ASSERT_TRUE(recorder_.WaitForError());
    const auto calls = recorder_.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].first, 0u);  // nothing became durable
    EXPECT_FALSE(calls[0].second.ok());
    EXPECT_TRUE(absl::StrContains(calls[0].second.message(),
                                  "rocksdb Write on column family "
                                  "'events' at offsets 1..2"))
        << calls[0].second;
    EXPECT_EQ(writer.durable_offset(), 0u);
    EXPECT_EQ(writer.status(), calls[0].second);
    // Fail-stop: every later submit fails with the latched status.
    EXPECT_EQ(writer.Submit(Batch(3, 1)), calls[0].second);
    writer.Stop();
    EXPECT_EQ(recorder_.calls().size(), 1u);
  }
  ASSERT_TRUE(db_->raw()->DestroyColumnFamilyHandle(dropped).ok());
}

}  // namespace
}  // namespace logbook::storage
