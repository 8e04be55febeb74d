// The `snapshots` column family, recovery from it, and the background
// snapshotter, on a real EventLog in a temp dir.
#include "storage/snapshot_store.h"

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/recovery.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_cut.h"
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

// A body cut from a registry at offset k: what the loop hands over.
SnapshotBody CutAt(const core::testing::RandomWorkload& work, std::size_t k) {
  core::Registry registry = FullReplay(work, k);
  SnapshotCut cut(registry);
  while (!cut.EncodeSome(16)) {
  }
  return cut.TakeBody();
}

TEST(Snapshotter, WritesWhatIsSubmittedAndKeepsTheNewest) {
  TempDir temp;
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(11, 800);
  ASSERT_GE(work.events.size(), 400u);
  std::unique_ptr<OpenLog> open = Open(temp.path());
  ASSERT_NE(open, nullptr);
  std::vector<core::Offset> reported;
  std::mutex reported_mu;
  Snapshotter snapshotter(open->log->db(), /*last_snapshot_offset=*/0, SnapshotterOptions{},
                          [&](const SnapshotterStats& stats) {
                            std::lock_guard<std::mutex> lock(reported_mu);
                            reported.push_back(stats.last_snapshot_offset);
                          });
  snapshotter.Start();
  for (core::Offset offset : {100u, 200u, 300u, 400u}) {
    snapshotter.CutStarted();
    snapshotter.Submit(CutAt(work, offset), /*cut_ms=*/3);
  }
  snapshotter.Stop();  // writes everything submitted first
  const SnapshotterStats stats = snapshotter.stats();
  EXPECT_TRUE(stats.last_error.ok()) << stats.last_error;
  EXPECT_FALSE(stats.in_progress);
  EXPECT_EQ(stats.snapshots_started, 4u);
  EXPECT_EQ(stats.snapshots_written, 4u);
  EXPECT_EQ(stats.last_snapshot_offset, 400u);
  EXPECT_GE(stats.last_encode_ms, 3);
  EXPECT_EQ(reported, (std::vector<core::Offset>{100, 200, 300, 400}));
  SnapshotStore store(open->log->db());
  EXPECT_EQ(Offsets(store), (std::vector<core::Offset>{400, 300, 200}));
  EXPECT_EQ(store.Read(400).value()->size(), stats.last_snapshot_bytes);
  for (core::Offset offset : Offsets(store)) {
    absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
        DecodeSnapshot(*store.Read(offset).value(), offset, work.options);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ((*decoded)->Serialize(), FullReplay(work, offset).Serialize());
  }
}

TEST(Snapshotter, IsIdleOnlyWithNothingToWrite) {
  TempDir temp;
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(12, 300);
  std::unique_ptr<OpenLog> open = Open(temp.path());
  ASSERT_NE(open, nullptr);
  Snapshotter snapshotter(open->log->db(), /*last_snapshot_offset=*/0);
  EXPECT_TRUE(snapshotter.idle());
  // Not started: the body waits, and the loop must not cut another.
  snapshotter.Submit(CutAt(work, 50), 0);
  EXPECT_FALSE(snapshotter.idle());
  EXPECT_TRUE(snapshotter.stats().in_progress);
  snapshotter.Start();
  ASSERT_TRUE(Eventually([&] { return snapshotter.idle(); }));
  EXPECT_EQ(snapshotter.stats().snapshots_written, 1u);
  EXPECT_FALSE(snapshotter.stats().in_progress);
}

TEST(Snapshotter, AFailedCutIsReportedAndWritesNothing) {
  TempDir temp;
  std::unique_ptr<OpenLog> open = Open(temp.path());
  ASSERT_NE(open, nullptr);
  int reports = 0;
  Snapshotter snapshotter(open->log->db(), /*last_snapshot_offset=*/7, SnapshotterOptions{},
                          [&](const SnapshotterStats&) { ++reports; });
  snapshotter.Start();
  snapshotter.CutStarted();
  EXPECT_TRUE(snapshotter.stats().in_progress);
  snapshotter.CutFailed(absl::InternalError("the cut went wrong"));
  const SnapshotterStats stats = snapshotter.stats();
  EXPECT_FALSE(stats.in_progress);
  EXPECT_EQ(stats.last_error.message(), "the cut went wrong");
  EXPECT_EQ(stats.last_snapshot_offset, 7u);
  EXPECT_EQ(reports, 1);
  // An abandoned cut (OK status) is no failure.
  snapshotter.CutStarted();
  snapshotter.CutFailed(absl::OkStatus());
  EXPECT_EQ(reports, 1);
  snapshotter.Stop();
  SnapshotStore store(open->log->db());
  EXPECT_TRUE(Offsets(store).empty());
}

}  // namespace
}  // namespace logbook::storage
