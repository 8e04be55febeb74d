#include "net/evictor.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/eviction_planner.h"
#include "core/status.h"
#include "core/self_preservation_state.h"
#include "net/loop_handles.h"

namespace logbook::net {

Evictor::Evictor(uv_loop_t* loop, core::Registry& registry, WritePipeline& pipeline,
                 const core::Clock& clock, EvictorOptions options, std::uint64_t seed)
    : loop_(loop),
      registry_(registry),
      pipeline_(pipeline),
      clock_(clock),
      options_(std::move(options)),
      seeds_(seed) {}

Evictor::~Evictor() { Stop(); }

void Evictor::Start() {
  eviction_timer_ = NewLoopTimer(loop_, this);
  const auto interval = static_cast<std::uint64_t>(options_.eviction_interval_ms);
  uv_timer_start(
      eviction_timer_,
      [](uv_timer_t* timer) { static_cast<Evictor*>(timer->data)->RunEviction(); }, interval,
      interval);
  threshold_timer_ = NewLoopTimer(loop_, this);
  const auto update = static_cast<std::uint64_t>(options_.renewal_threshold_update_interval_ms);
  uv_timer_start(
      threshold_timer_,
      [](uv_timer_t* timer) { static_cast<Evictor*>(timer->data)->RunThresholdUpdate(); },
      update, update);
}

void Evictor::Stop() {
  CloseLoopHandle(eviction_timer_);
  CloseLoopHandle(threshold_timer_);
}

void Evictor::RunEviction() {
  const core::TimestampMs now_ms = clock_.NowMs();
  // Timer drift or a stalled loop must not make leases look older (§6.3 step 1).
  const std::int64_t compensation_ms =
      previous_run_ms_ == 0
          ? 0
          : std::max<std::int64_t>(0, now_ms - previous_run_ms_ - options_.eviction_interval_ms);
  previous_run_ms_ = now_ms;
  if (!pipeline_.accepting_writes()) return;
  // Leases pulled from a peer we have not caught up with may be stale here.
  if (options_.peers_caught_up && !options_.peers_caught_up()) return;
  if (options_.restart_grace_ms >= 0 &&
      now_ms < options_.grace_start_ms + options_.restart_grace_ms) {
    return;
  }
  core::EvictionInput input;
  input.now_ms = now_ms;
  input.compensation_ms = compensation_ms;
  input.grace_start_ms = options_.restart_grace_ms >= 0 ? 0 : options_.grace_start_ms;
  input.seed = seeds_();
  std::vector<core::Event> events =
      core::PlanEvictions(registry_, input, options_.self_preservation);
  if (events.empty()) return;
  evicted_total_ += events.size();
  pipeline_.Commit(std::move(events), [logger = options_.logger](absl::Status status) {
    if (status.ok()) return;
    Logger fallback;
    (logger != nullptr ? *logger : fallback)
        .Error("eviction not logged", {{"error", core::MessageOf(status)}});
  });
}

void Evictor::RunThresholdUpdate() {
  if (!pipeline_.accepting_writes()) return;
  // Leases pulled from a peer we have not caught up with may be stale here.
  if (options_.peers_caught_up && !options_.peers_caught_up()) return;
  std::optional<core::Event> event = core::DecideRenewalThresholdUpdate(
      registry_, clock_.NowMs(), options_.self_preservation);
  if (!event.has_value()) return;
  std::vector<core::Event> events;
  events.push_back(std::move(*event));
  pipeline_.Commit(std::move(events), [](absl::Status) {});
}

}  // namespace logbook::net
