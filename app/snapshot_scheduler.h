#pragma once
// When and how the loop cuts a snapshot (ARCHITECTURE.md §3): every
// `every_events` events (looked at once per loop turn) or `every_ms` with
// changes, it starts a
// storage::SnapshotCut of the live registry and encodes it in slices of at
// most `slice_budget` of loop time, one per loop turn, so requests are
// served between them; once the events through the cut's offset are durable
// it hands the body to the storage::Snapshotter thread to compress and write.
// One cut at a time, and none while the previous body is still being written.
//
// Thread: loop thread only.
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "core/registry.h"
#include "net/loop_turn_hook.h"
#include "net/write_pipeline.h"
#include "storage/snapshot_cut.h"
#include "storage/snapshotter.h"

namespace logbook::app {

struct SnapshotSchedulerOptions {
  std::uint64_t every_events = 100000;
  std::int64_t every_ms = 600000;
  // How often `every_ms` and the durability of a finished cut are checked
  // when the loop has nothing else to do (they are checked every turn too).
  std::int64_t check_interval_ms = 100;
  // Loop time one slice of a cut may take before the loop serves I/O again.
  std::chrono::microseconds slice_budget{500};
  // When set, a slice encodes exactly this many items instead (tests).
  std::size_t items_per_slice = 0;
};

class SnapshotScheduler {
 public:
  // `last_snapshot_offset`: the newest snapshot stored (recovery's).
  SnapshotScheduler(uv_loop_t* loop, core::Registry& registry, net::WritePipeline& pipeline,
                    storage::Snapshotter& snapshotter, core::Offset last_snapshot_offset,
                    SnapshotSchedulerOptions options);
  ~SnapshotScheduler();  // Stop()
  SnapshotScheduler(const SnapshotScheduler&) = delete;
  SnapshotScheduler& operator=(const SnapshotScheduler&) = delete;

  void Start();
  // Abandons a cut in progress and closes the timers. Idempotent.
  void Stop();
  // The registry is about to be replaced (disk-full rollback): a cut of the
  // old state, or a body not yet durable, is dropped.
  void AbandonCut();
  // At shutdown, once the log has stopped with everything through `durable`
  // on disk: cuts the registry at once and submits it, if it holds events
  // after the last snapshot and all of them are durable.
  void TakeFinal(core::Offset durable);

  // The offset of the cut being encoded or waiting for durability, if any.
  std::optional<core::Offset> cut_offset() const;

 private:
  // Once per loop turn: cheap unless a cut is due or waits to be submitted.
  void OnTurnEnd();
  void OnTimer();
  void BeginCut();
  void RunSlice();
  // Submits the finished body once durable; true if it did.
  bool SubmitIfDurable();
  void ArmSlice();
  void DisarmSlice();

  uv_loop_t* loop_;
  core::Registry& registry_;
  net::WritePipeline& pipeline_;
  storage::Snapshotter& snapshotter_;
  const SnapshotSchedulerOptions options_;
  core::Offset last_snapshot_offset_;
  std::chrono::steady_clock::time_point last_snapshot_at_;
  std::unique_ptr<storage::SnapshotCut> cut_;
  std::chrono::steady_clock::time_point cut_started_at_;
  std::unique_ptr<net::LoopTurnHook> turn_hook_;
  // Owned by the loop until their close callbacks free them.
  uv_timer_t* check_timer_ = nullptr;
  uv_idle_t* slice_idle_ = nullptr;
};

}  // namespace logbook::app
