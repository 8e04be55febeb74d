// SnapshotScheduler on a real loop: a cut is encoded a slice per loop turn
// while the registry goes on changing between turns, and what the
// snapshotter writes is the registry as it was at the cut.
#include "app/snapshot_scheduler.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <memory>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_store.h"
#include "tests/testing/node_process.h"
#include "tests/testing/offset_journal.h"

namespace logbook::app {
namespace {


core::Event Registration(int i, core::Offset offset) {
  core::InstanceInfo info;
  info.app = "APP" + std::to_string(i % 5);
  info.instance_id = "i" + std::to_string(i);
  info.host_name = "h" + std::to_string(i);
  info.ip_addr = "10.0.0.1";
  core::Event event;
  event.type = core::EventType::kRegister;
  event.app = info.app;
  event.instance_id = *info.instance_id;
  event.instance = std::move(info);
  event.offset = offset;
  event.timestamp_ms = 1700000000000 + static_cast<core::TimestampMs>(offset);
  return event;
}

constexpr int kInstances = 200;

struct TurnCounter {
  uv_prepare_t handle;
  SnapshotScheduler* scheduler = nullptr;
  storage::Snapshotter* snapshotter = nullptr;
  core::Registry* registry = nullptr;
  int turns_with_cut = 0;
  int changes = 0;
  core::Offset next_offset = 0;
};

TEST(SnapshotScheduler, CutsInSlicesAcrossLoopTurnsWhileTheRegistryChanges) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  core::Registry registry;
  for (int i = 0; i < kInstances; ++i) registry.Apply(Registration(i, i + 1));
  const core::Registry at_cut = registry;
  testing::OffsetJournal journal(registry.last_applied_offset());
  net::WritePipeline pipeline(registry, journal, registry.last_applied_offset());

  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  storage::Snapshotter snapshotter(**db, /*last_snapshot_offset=*/0);
  snapshotter.Start();
  SnapshotSchedulerOptions options;
  options.every_events = 1;
  options.check_interval_ms = 1;
  options.items_per_slice = 10;
  SnapshotScheduler scheduler(&loop, registry, pipeline, snapshotter, 0, options);
  scheduler.Start();

  // Each turn, while the first cut is running: re-register one instance
  // (a change the cut must not see), then stop once that cut is written.
  TurnCounter counter;
  counter.scheduler = &scheduler;
  counter.snapshotter = &snapshotter;
  counter.registry = &registry;
  counter.next_offset = registry.last_applied_offset() + 1;
  uv_prepare_init(&loop, &counter.handle);
  counter.handle.data = &counter;
  uv_prepare_start(&counter.handle, [](uv_prepare_t* handle) {
    auto& self = *static_cast<TurnCounter*>(handle->data);
    if (self.snapshotter->stats().snapshots_written > 0) {
      uv_stop(handle->loop);
      return;
    }
    if (self.scheduler->cut_offset() != kInstances) return;
    ++self.turns_with_cut;
    // Spread over every app, in the order the cut goes, and beyond it.
    const int i = (self.changes * 37) % (kInstances + 20);
    self.registry->Apply(Registration(i, self.next_offset++));
    ++self.changes;
  });
  uv_run(&loop, UV_RUN_DEFAULT);

  // 200 instances at 10 per slice: about 20 turns (the window adds a few).
  EXPECT_GE(counter.turns_with_cut, kInstances / 10);
  EXPECT_NE(registry.Serialize(), at_cut.Serialize());  // the live registry moved on
  scheduler.Stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&counter.handle), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  ASSERT_EQ(uv_loop_close(&loop), 0);
  snapshotter.Stop();

  const storage::SnapshotterStats stats = snapshotter.stats();
  ASSERT_TRUE(stats.last_error.ok()) << stats.last_error;
  ASSERT_EQ(stats.last_snapshot_offset, static_cast<core::Offset>(kInstances));
  storage::SnapshotStore store(**db);
  absl::StatusOr<std::optional<std::string>> value = store.Read(kInstances);
  ASSERT_TRUE(value.ok() && value->has_value());
  absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
      storage::DecodeSnapshot(**value, kInstances, core::RegistryOptions{});
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ((*decoded)->Serialize(), at_cut.Serialize());
}

}  // namespace
}  // namespace logbook::app
