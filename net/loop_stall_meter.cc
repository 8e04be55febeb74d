#include "net/loop_stall_meter.h"

#include <time.h>

#include <algorithm>

namespace logbook::net {

struct LoopStallMeter::Handle {
  uv_prepare_t prepare;
  LoopStallMeter* meter;  // null once the meter is gone
};

LoopStallMeter::LoopStallMeter(uv_loop_t* loop, double threshold_ms, std::int64_t window_ms)
    : loop_(loop),
      threshold_ms_(threshold_ms),
      window_ns_(static_cast<std::uint64_t>(std::max<std::int64_t>(window_ms, 1)) * 1000000) {}

LoopStallMeter::~LoopStallMeter() { Stop(); }

void LoopStallMeter::Start() {
  if (handle_ != nullptr) return;
  // Must be on before the poll it measures; harmless if already on.
  uv_loop_configure(loop_, UV_METRICS_IDLE_TIME);
  handle_ = new Handle{};
  handle_->meter = this;
  uv_prepare_init(loop_, &handle_->prepare);
  handle_->prepare.data = handle_;
  uv_prepare_start(&handle_->prepare, &LoopStallMeter::OnPrepare);
  uv_unref(reinterpret_cast<uv_handle_t*>(&handle_->prepare));
  have_previous_ = false;
}

void LoopStallMeter::Stop() {
  if (handle_ == nullptr) return;
  handle_->meter = nullptr;
  uv_prepare_stop(&handle_->prepare);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_->prepare), [](uv_handle_t* closed) {
    delete static_cast<Handle*>(closed->data);
  });
  handle_ = nullptr;
}

namespace {

std::uint64_t ThreadCpuNs() {
  timespec now{};
  if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) != 0) return 0;
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000 +
         static_cast<std::uint64_t>(now.tv_nsec);
}

}  // namespace

void LoopStallMeter::OnPrepare(uv_prepare_t* prepare) {
  Handle* handle = static_cast<Handle*>(prepare->data);
  if (handle->meter == nullptr) return;
  handle->meter->Record(uv_hrtime(), uv_metrics_idle_time(prepare->loop), ThreadCpuNs());
}

void LoopStallMeter::Record(std::uint64_t now_ns, std::uint64_t idle_ns, std::uint64_t cpu_ns) {
  if (have_previous_) {
    if (cpu_ns >= previous_cpu_ns_) max_cpu_ns_ = std::max(max_cpu_ns_, cpu_ns - previous_cpu_ns_);
    const std::uint64_t wall = now_ns - previous_ns_;
    const std::uint64_t idle = idle_ns - previous_idle_ns_;
    const std::uint64_t busy = wall > idle ? wall - idle : 0;
    ++iterations_;
    busy_ns_ += busy;
    max_ns_ = std::max(max_ns_, busy);
    if (static_cast<double>(busy) > threshold_ms_ * 1e6) ++over_threshold_;
    if (now_ns - window_start_ns_ >= window_ns_) {
      // A window with no iteration at all left nothing worth keeping.
      previous_window_max_ns_ = now_ns - window_start_ns_ >= 2 * window_ns_ ? 0 : window_max_ns_;
      window_max_ns_ = 0;
      window_start_ns_ = now_ns;
    }
    window_max_ns_ = std::max(window_max_ns_, busy);
  } else {
    window_start_ns_ = now_ns;
  }
  have_previous_ = true;
  previous_ns_ = now_ns;
  previous_idle_ns_ = idle_ns;
  previous_cpu_ns_ = cpu_ns;
}

namespace {

// Microsecond resolution is plenty for a stall and keeps the JSON short.
double Ms(std::uint64_t ns) { return static_cast<double>(ns / 1000) / 1000.0; }

}  // namespace

LoopStallStats LoopStallMeter::stats() const {
  LoopStallStats stats;
  stats.iterations = iterations_;
  stats.max_stall_ms = Ms(max_ns_);
  stats.max_stall_cpu_ms = Ms(max_cpu_ns_);
  stats.stalls_over_threshold = over_threshold_;
  stats.threshold_ms = threshold_ms_;
  stats.busy_ms = Ms(busy_ns_);
  stats.recent_max_stall_ms =
      Ms(std::max(window_max_ns_, previous_window_max_ns_));
  stats.window_ms = static_cast<std::int64_t>(window_ns_ / 1000000);
  return stats;
}

}  // namespace logbook::net
