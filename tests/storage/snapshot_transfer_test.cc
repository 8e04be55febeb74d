// The storage side of a snapshot transfer (docs/replication.md, "Snapshot
// transfer", "Bootstrap"): the export reads registry and cursors as of one
// offset; the install makes a new dir a log that starts after the snapshot.
#include <memory>
#include <span>
#include <vector>

#include "gtest/gtest.h"
#include "storage/bootstrap_install.h"
#include "storage/db.h"
#include "storage/event_log.h"
#include "storage/recovery.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_export.h"
#include "storage/snapshot_store.h"
#include "tests/core/random_workload.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using testing::DurabilityRecorder;
using testing::TempDir;

using testing::OpenLog;

std::unique_ptr<OpenLog> Open(const std::string& dir) { return testing::OpenLogIn(dir); }

std::string Body(const core::Registry& registry) { return EncodeSnapshotBody(registry); }

class SnapshotTransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = core::testing::MakeRandomWorkload(11, 400);
    source_ = Open(source_dir_.path());
    ASSERT_NE(source_, nullptr);
    source_->log->Start();
  }

  // Appends the first `n` workload events, the last batch with `cursor`.
  void Append(std::size_t n, const core::PeerCursor& cursor) {
    std::vector<core::Event> events(work_.events.begin(), work_.events.begin() + n);
    ASSERT_TRUE(source_->log->Append(std::span<core::Event>(events.data(), n - 1)).ok());
    ASSERT_TRUE(
        source_->log->AppendWithCursor(std::span<core::Event>(events.data() + n - 1, 1), cursor)
            .ok());
    ASSERT_TRUE(source_->recorder.WaitForDurable(source_->log->last_offset()));
  }

  core::Registry Replay(std::size_t n) const {
    core::Registry registry(work_.options);
    for (std::size_t i = 0; i < n; ++i) registry.Apply(work_.events[i]);
    return registry;
  }

  TempDir source_dir_;
  TempDir target_dir_;
  core::testing::RandomWorkload work_;
  std::unique_ptr<OpenLog> source_;
};

TEST_F(SnapshotTransferTest, EmptyLogExportsNothing) {
  absl::StatusOr<ExportedSnapshot> exported = ExportSnapshot(source_->log->db(), work_.options);
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->offset, 0u);
  EXPECT_TRUE(exported->encoded.empty());
}

TEST_F(SnapshotTransferTest, ExportIsTheNewestSnapshotPlusTheTailWithTheCursorsOfThatOffset) {
  const std::size_t n = work_.events.size();
  const core::PeerCursor cursor{"c", "identity-c", 77};
  Append(n, cursor);
  // A stored snapshot in the middle: the export decodes it and replays the rest.
  SnapshotStore store(source_->log->db());
  ASSERT_TRUE(store.Write(n / 2, EncodeSnapshot(Replay(n / 2))).ok());

  absl::StatusOr<ExportedSnapshot> exported = ExportSnapshot(source_->log->db(), work_.options);
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->offset, n);
  EXPECT_EQ(exported->cursors, std::vector<core::PeerCursor>{cursor});
  absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
      DecodeSnapshot(exported->encoded, n, work_.options);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(Body(**decoded), Body(Replay(n)));
}

TEST_F(SnapshotTransferTest, InstalledSnapshotIsWhereTheNewLogStarts) {
  const std::size_t n = work_.events.size();
  Append(n, {"c", "identity-c", 5});
  absl::StatusOr<ExportedSnapshot> exported = ExportSnapshot(source_->log->db(), work_.options);
  ASSERT_TRUE(exported.ok()) << exported.status();

  {
    std::unique_ptr<OpenLog> target = Open(target_dir_.path());
    ASSERT_NE(target, nullptr);
    ASSERT_EQ(IsNewDataDir(target->log->db()).value_or(false), true);
    const BootstrapImage image{exported->offset, exported->encoded,
                               {{"source", "identity-s", exported->offset + 1},
                                {"c", "identity-c", 5}}};
    ASSERT_TRUE(InstallBootstrap(target->log->db(), image).ok());
    EXPECT_EQ(IsNewDataDir(target->log->db()).value_or(true), false);
    // Only once: a dir that is not new is refused, untouched.
    EXPECT_TRUE(absl::IsFailedPrecondition(InstallBootstrap(target->log->db(), image)));
  }
  std::unique_ptr<OpenLog> reopened = Open(target_dir_.path());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->log->first_offset(), n + 1);
  EXPECT_EQ(reopened->log->last_offset(), n);
  EXPECT_EQ(reopened->log->initial_peer_cursors().size(), 2u);
  EXPECT_EQ(reopened->log->initial_peer_cursors().at("c").next_offset, 5u);
  EXPECT_EQ(LoadBootstrapOffset(reopened->log->db()).value_or(0), n);
  absl::StatusOr<Recovered> recovered = Recover(*reopened->log, work_.options);
  ASSERT_TRUE(recovered.ok()) << recovered.status();
  EXPECT_EQ(recovered->info.snapshot_offset, n);
  EXPECT_EQ(Body(*recovered->registry), Body(Replay(n)));

  // The new log goes on right after the snapshot.
  reopened->log->Start();
  std::vector<core::Event> more = {work_.events.front()};
  absl::StatusOr<core::Offset> appended = reopened->log->Append(more);
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(*appended, n + 1);
}

}  // namespace
}  // namespace logbook::storage
