// The `snapshots` column family, recovery from it, and the background
// snapshotter, on a real EventLog in a temp dir.
#include "storage/snapshot_store.h"

#include <chrono>
#include <thread>
#include <vector>

#include "core/status.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/recovery.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshotter.h"
#include "tests/core/random_workload.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using testing::DurabilityRecorder;
using testing::TempDir;

using testing::OpenLog;

std::unique_ptr<OpenLog> Open(const std::string& dir) { return testing::OpenLogIn(dir); }

// Appends `events` (offsets reassigned) and waits until they are durable.
void AppendAll(OpenLog& open, std::vector<core::Event> events) {
  for (std::size_t i = 0; i < events.size(); i += 64) {
    const std::size_t n = std::min<std::size_t>(64, events.size() - i);
    ASSERT_TRUE(open.log->Append(std::span<core::Event>(events.data() + i, n)).ok());
  }
  ASSERT_TRUE(open.recorder.WaitForDurable(open.log->last_offset()));
}

core::Registry FullReplay(const core::testing::RandomWorkload& work, std::size_t n) {
  core::Registry registry(work.options);
  for (std::size_t i = 0; i < n; ++i) registry.Apply(work.events[i]);
  return registry;
}

std::vector<core::Offset> Offsets(const SnapshotStore& store) {
  absl::StatusOr<std::vector<SnapshotInfo>> list = store.List();
  EXPECT_TRUE(list.ok()) << list.status();
  std::vector<core::Offset> offsets;
  for (const SnapshotInfo& info : *list) offsets.push_back(info.offset);
  return offsets;
}

TEST(SnapshotStore, KeepsTheNewestK) {
  TempDir temp;
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  ASSERT_TRUE(db.ok()) << db.status();
  SnapshotStore store(**db, 3);
  for (core::Offset offset : {5, 10, 15, 20, 25}) {
    ASSERT_TRUE(store.Write(offset, "x").ok());
  }
  EXPECT_EQ(Offsets(store), (std::vector<core::Offset>{25, 20, 15}));
  // An older one written late is the one dropped.
  ASSERT_TRUE(store.Write(1, "y").ok());
  EXPECT_EQ(Offsets(store), (std::vector<core::Offset>{25, 20, 15}));
  ASSERT_TRUE(store.Write(20, "z").ok());
  EXPECT_EQ(Offsets(store), (std::vector<core::Offset>{25, 20, 15}));
  EXPECT_EQ(*store.Read(20), std::optional<std::string>("z"));
  EXPECT_EQ(*store.Read(5), std::nullopt);
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = core::testing::MakeRandomWorkload(7, 600);
    ASSERT_GT(work_.events.size(), 30u);
    open_ = Open(temp_.path());
    ASSERT_NE(open_, nullptr);
    open_->log->Start();
    AppendAll(*open_, work_.events);
  }

  void WriteSnapshotAt(std::size_t k) {
    SnapshotStore store(open_->log->db());
    const core::Registry prefix = FullReplay(work_, k);
    ASSERT_TRUE(store.Write(k, EncodeSnapshot(prefix)).ok());
  }

  std::size_t Older() const { return work_.events.size() / 3; }
  std::size_t Newer() const { return work_.events.size() * 2 / 3; }

  TempDir temp_;
  core::testing::RandomWorkload work_;
  std::unique_ptr<OpenLog> open_;
};

TEST_F(RecoveryTest, WithoutSnapshotsReplaysEverything) {
  absl::StatusOr<Recovered> recovered = Recover(*open_->log, work_.options);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->info.snapshot_offset, 0u);
  EXPECT_EQ(recovered->info.replayed_events, work_.events.size());
  EXPECT_EQ(recovered->registry->Serialize(), FullReplay(work_, work_.events.size()).Serialize());
}

TEST_F(RecoveryTest, UsesTheNewestSnapshotAndReplaysTheRest) {
  WriteSnapshotAt(Older());
  WriteSnapshotAt(Newer());
  absl::StatusOr<Recovered> recovered = Recover(*open_->log, work_.options);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->info.snapshot_offset, Newer());
  EXPECT_EQ(recovered->info.replayed_events, work_.events.size() - Newer());
  EXPECT_TRUE(recovered->info.skipped_snapshots.empty());
  EXPECT_EQ(recovered->registry->Serialize(), FullReplay(work_, work_.events.size()).Serialize());
}

TEST_F(RecoveryTest, CorruptNewestSnapshotFallsBackToAnOlderOneAndReportsIt) {
  WriteSnapshotAt(Older());
  WriteSnapshotAt(Newer());
  // Flip one byte in the middle of the newest snapshot, in place.
  Db& db = open_->log->db();
  std::string value = *SnapshotStore(db).Read(Newer()).value();
  value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x10);
  ASSERT_TRUE(db.raw()->Put(rocksdb::WriteOptions(), db.snapshots(), EventKey(Newer()), value).ok());

  std::vector<SkippedSnapshot> reported;
  absl::StatusOr<Recovered> recovered =
      Recover(*open_->log, work_.options,
              [&reported](const SkippedSnapshot& skipped) { reported.push_back(skipped); });
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->info.snapshot_offset, Older());
  EXPECT_EQ(recovered->info.replayed_events, work_.events.size() - Older());
  ASSERT_EQ(recovered->info.skipped_snapshots.size(), 1u);
  EXPECT_EQ(recovered->info.skipped_snapshots[0].offset, Newer());
  EXPECT_NE(recovered->info.skipped_snapshots[0].reason.find("checksum mismatch"),
            std::string::npos)
      << recovered->info.skipped_snapshots[0].reason;
  ASSERT_EQ(reported.size(), 1u);
  EXPECT_EQ(reported[0].offset, Newer());
  EXPECT_EQ(recovered->registry->Serialize(), FullReplay(work_, work_.events.size()).Serialize());
}

TEST_F(RecoveryTest, SnapshotBeyondTheLogIsSkipped) {
  WriteSnapshotAt(Older());
  SnapshotStore store(open_->log->db());
  core::Registry beyond(work_.options);
  core::Event renew = testing::RenewEvent("A", "x", 1);
  renew.offset = work_.events.size() + 10;
  beyond.Apply(renew);
  ASSERT_TRUE(store.Write(renew.offset, EncodeSnapshot(beyond)).ok());
  absl::StatusOr<Recovered> recovered = Recover(*open_->log, work_.options);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->info.snapshot_offset, Older());
  ASSERT_EQ(recovered->info.skipped_snapshots.size(), 1u);
  EXPECT_EQ(recovered->info.skipped_snapshots[0].offset, renew.offset);
  EXPECT_NE(recovered->info.skipped_snapshots[0].reason.find("beyond the end of the log"),
            std::string::npos);
  EXPECT_EQ(recovered->registry->Serialize(), FullReplay(work_, work_.events.size()).Serialize());
}

// Waits (with a deadline, polling) for `done`.
template <typename F>
bool Eventually(F done, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

TEST(Snapshotter, WritesSnapshotsAsEventsFlow) {
  TempDir temp;
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(11, 800);
  std::unique_ptr<OpenLog> open = Open(temp.path());
  ASSERT_NE(open, nullptr);
  open->log->Start();
  SnapshotterOptions options;
  options.registry = work.options;
  options.every_events = 100;
  options.every_ms = 3600000;
  options.poll_ms = 10;
  Snapshotter snapshotter(*open->log, options);
  snapshotter.Start();
  // The events arrive while the snapshotter runs; nothing notifies it.
  AppendAll(*open, work.events);
  const core::Offset last = open->log->last_offset();
  const core::Offset expected_last_snapshot = last / 100 * 100;
  ASSERT_TRUE(Eventually([&] { return snapshotter.stats().shadow_offset == last; }));
  const SnapshotterStats stats = snapshotter.stats();
  EXPECT_TRUE(stats.last_error.ok()) << stats.last_error;
  // Started before the first commit with a feed far larger than the
  // workload: every event came from the writer, none was read back.
  EXPECT_EQ(stats.events_from_feed, last);
  EXPECT_EQ(stats.events_from_log, 0u);
  EXPECT_EQ(stats.last_snapshot_offset, expected_last_snapshot);
  EXPECT_EQ(stats.snapshots_written, last / 100);
  SnapshotStore store(open->log->db());
  EXPECT_EQ(Offsets(store), (std::vector<core::Offset>{expected_last_snapshot,
                                                       expected_last_snapshot - 100,
                                                       expected_last_snapshot - 200}));
  for (core::Offset offset : Offsets(store)) {
    absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
        DecodeSnapshot(*store.Read(offset).value(), offset, work.options);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ((*decoded)->Serialize(), FullReplay(work, offset).Serialize());
  }
  // Stopping with a final snapshot covers the tail.
  snapshotter.Stop(/*final_snapshot=*/true);
  EXPECT_EQ(snapshotter.stats().last_snapshot_offset, last);
  EXPECT_EQ(Offsets(store).front(), last);
}

// The shadow is fed the writer's commits; what the feed did not keep (before
// Start, or past its bound while the thread slept) is read from the log, and
// every event is applied exactly once, in order.
TEST(Snapshotter, AppliesTheFeedAndReadsWhatItDidNotKeepFromTheLog) {
  TempDir temp;
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(13, 1500);
  ASSERT_GE(work.events.size(), 300u);
  auto open = std::make_unique<OpenLog>();
  EventLogOptions log_options;
  log_options.data_dir = temp.path();
  log_options.sync = SyncPolicy::kNone;
  log_options.committed_feed_max_bytes = 1;  // at most one commit queued
  absl::StatusOr<std::unique_ptr<EventLog>> log =
      EventLog::Open(log_options, open->recorder.Callback());
  ASSERT_TRUE(log.ok()) << log.status();
  open->log = *std::move(log);
  open->log->Start();
  const auto append = [&](std::size_t from, std::size_t count) {
    std::vector<core::Event> events(work.events.begin() + from,
                                    work.events.begin() + from + count);
    ASSERT_TRUE(open->log->Append(events).ok());
    ASSERT_TRUE(open->recorder.WaitForDurable(open->log->last_offset()));
  };
  append(0, 100);  // before the feed opens: read from the log

  SnapshotterOptions options;
  options.registry = work.options;
  options.every_events = 1000000;
  options.every_ms = 3600000;
  options.poll_ms = 3600000;  // wakes only when notified
  Snapshotter snapshotter(*open->log, options);
  snapshotter.Start();
  ASSERT_TRUE(Eventually([&] { return snapshotter.stats().shadow_offset == 100; }));
  // The thread sleeps now: the first commit is kept, the next ones do not fit.
  for (std::size_t from = 100; from < 300; from += 50) append(from, 50);
  EXPECT_EQ(open->log->committed_feed().stats().chunks_dropped, 3u);
  ASSERT_TRUE(Eventually([&] {
    snapshotter.Notify();
    return snapshotter.stats().shadow_offset == 300;
  }));
  const SnapshotterStats stats = snapshotter.stats();
  EXPECT_TRUE(stats.last_error.ok()) << stats.last_error;
  EXPECT_EQ(stats.events_from_feed, 50u);
  EXPECT_EQ(stats.events_from_log, 250u);

  snapshotter.Stop(/*final_snapshot=*/true);
  SnapshotStore store(open->log->db());
  ASSERT_EQ(Offsets(store).front(), 300u);
  absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
      DecodeSnapshot(*store.Read(300).value(), 300, work.options);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ((*decoded)->Serialize(), FullReplay(work, 300).Serialize());
}

TEST(Snapshotter, ResumesFromTheNewestSnapshot) {
  TempDir temp;
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(12, 500);
  std::unique_ptr<OpenLog> open = Open(temp.path());
  ASSERT_NE(open, nullptr);
  open->log->Start();
  AppendAll(*open, work.events);
  SnapshotterOptions options;
  options.registry = work.options;
  options.every_events = 50;
  options.poll_ms = 10;
  {
    Snapshotter first(*open->log, options);
    first.Start();
    ASSERT_TRUE(Eventually([&] { return first.stats().shadow_offset == open->log->last_offset(); }));
    first.Stop();
  }
  Snapshotter second(*open->log, options);
  second.Start();
  ASSERT_TRUE(Eventually([&] { return second.stats().shadow_offset == open->log->last_offset(); }));
  // Restored from the last snapshot, so it wrote none of the earlier ones again.
  EXPECT_EQ(second.stats().snapshots_written, 0u);
  second.Stop();
}

}  // namespace
}  // namespace logbook::storage
