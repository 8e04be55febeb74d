#include "app/snapshot_scheduler.h"

#include <utility>

#include "net/loop_handles.h"

namespace logbook::app {
namespace {

// Instances (or window entries) encoded between two looks at the clock:
// ~10-20 µs of work, small next to a slice's budget.
constexpr std::size_t kItemsPerClockCheck = 16;

std::int64_t MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

SnapshotScheduler::SnapshotScheduler(uv_loop_t* loop, core::Registry& registry,
                                     net::WritePipeline& pipeline,
                                     storage::Snapshotter& snapshotter,
                                     core::Offset last_snapshot_offset,
                                     SnapshotSchedulerOptions options)
    : loop_(loop),
      registry_(registry),
      pipeline_(pipeline),
      snapshotter_(snapshotter),
      options_(options),
      last_snapshot_offset_(last_snapshot_offset),
      last_snapshot_at_(std::chrono::steady_clock::now()) {}

SnapshotScheduler::~SnapshotScheduler() { Stop(); }

void SnapshotScheduler::Start() {
  check_timer_ = net::NewLoopTimer(loop_, this);
  const auto interval = static_cast<std::uint64_t>(options_.check_interval_ms);
  uv_timer_start(
      check_timer_,
      [](uv_timer_t* timer) { static_cast<SnapshotScheduler*>(timer->data)->OnTimer(); }, interval,
      interval);
  slice_idle_ = net::NewLoopIdle(loop_, this);
  turn_hook_ = std::make_unique<net::LoopTurnHook>(loop_, [this] { OnTurnEnd(); });
}

void SnapshotScheduler::Stop() {
  AbandonCut();
  if (turn_hook_ != nullptr) turn_hook_->Stop();
  net::CloseLoopHandle(check_timer_);
  net::CloseLoopHandle(slice_idle_);
}

void SnapshotScheduler::AbandonCut() {
  DisarmSlice();
  if (cut_ == nullptr) return;
  cut_->Abandon();
  cut_.reset();
  snapshotter_.CutFailed(absl::OkStatus());
}

std::optional<core::Offset> SnapshotScheduler::cut_offset() const {
  if (cut_ == nullptr) return std::nullopt;
  return cut_->offset();
}

void SnapshotScheduler::OnTurnEnd() {
  if (cut_ != nullptr) {
    if (cut_->done()) SubmitIfDurable();
    return;
  }
  const core::Offset applied = registry_.last_applied_offset();
  // (Below the last snapshot only after a rollback.)
  if (applied <= last_snapshot_offset_ || applied - last_snapshot_offset_ < options_.every_events) {
    return;
  }
  if (snapshotter_.idle()) BeginCut();
}

void SnapshotScheduler::OnTimer() {
  OnTurnEnd();
  if (cut_ != nullptr || registry_.last_applied_offset() <= last_snapshot_offset_) return;
  if (std::chrono::steady_clock::now() - last_snapshot_at_ >=
          std::chrono::milliseconds(options_.every_ms) &&
      snapshotter_.idle()) {
    BeginCut();
  }
}

void SnapshotScheduler::BeginCut() {
  cut_started_at_ = std::chrono::steady_clock::now();
  snapshotter_.CutStarted();
  cut_ = std::make_unique<storage::SnapshotCut>(registry_);
  ArmSlice();
}

void SnapshotScheduler::ArmSlice() {
  // An idle handle runs once per loop turn (and keeps the poll from
  // blocking), so the I/O that came in meanwhile is served between two
  // slices. Not a zero timer: libuv runs a timer re-armed from its own
  // callback again in the same turn, which made the whole cut one turn.
  if (slice_idle_ != nullptr && !uv_is_active(reinterpret_cast<uv_handle_t*>(slice_idle_))) {
    uv_idle_start(slice_idle_,
                  [](uv_idle_t* idle) { static_cast<SnapshotScheduler*>(idle->data)->RunSlice(); });
  }
}

void SnapshotScheduler::DisarmSlice() {
  if (slice_idle_ != nullptr) uv_idle_stop(slice_idle_);
}

void SnapshotScheduler::RunSlice() {
  if (cut_ == nullptr || cut_->done()) {
    DisarmSlice();
    return;
  }
  const auto deadline = std::chrono::steady_clock::now() + options_.slice_budget;
  bool done = false;
  if (options_.items_per_slice > 0) {
    done = cut_->EncodeSome(options_.items_per_slice);
  } else {
    do {
      done = cut_->EncodeSome(kItemsPerClockCheck);
    } while (!done && std::chrono::steady_clock::now() < deadline);
  }
  if (!done) return;
  DisarmSlice();
  if (!cut_->error().ok()) {
    snapshotter_.CutFailed(cut_->error());
    cut_.reset();
    return;
  }
  SubmitIfDurable();
}

bool SnapshotScheduler::SubmitIfDurable() {
  if (pipeline_.durable_offset() < cut_->offset()) return false;
  last_snapshot_offset_ = cut_->offset();
  last_snapshot_at_ = std::chrono::steady_clock::now();
  snapshotter_.Submit(cut_->TakeBody(), MsSince(cut_started_at_));
  cut_.reset();
  return true;
}

void SnapshotScheduler::TakeFinal(core::Offset durable) {
  AbandonCut();
  const core::Offset applied = registry_.last_applied_offset();
  if (applied <= last_snapshot_offset_ || applied > durable) return;
  cut_started_at_ = std::chrono::steady_clock::now();
  snapshotter_.CutStarted();
  storage::SnapshotCut cut(registry_);
  while (!cut.EncodeSome(~std::size_t{0})) {
  }
  if (!cut.error().ok()) {
    snapshotter_.CutFailed(cut.error());
    return;
  }
  last_snapshot_offset_ = applied;
  snapshotter_.Submit(cut.TakeBody(), MsSince(cut_started_at_));
}

}  // namespace logbook::app
