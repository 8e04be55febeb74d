#pragma once
// How long the loop thread is away from poll: one loop iteration's busy time
// (timers, I/O callbacks, check and close callbacks), measured as the time
// between two consecutive uv_prepare callbacks (run just before each poll)
// minus what libuv's UV_METRICS_IDLE_TIME counted as waiting inside poll in
// between. That is every iteration, exactly, with no extra wakeups; a
// repeating timer's lateness would only see stalls that overlap its due time,
// cost a wakeup per tick, and the prepare/check pair alone cannot tell the
// I/O callbacks (run inside poll) from the wait. The loop thread's CPU time
// over the same span is kept too, to tell work from waiting for a core.
//
// Thread: everything on the loop thread.
#include <cstdint>

#include <uv.h>

namespace logbook::net {

struct LoopStallStats {
  std::uint64_t iterations = 0;        // busy periods measured
  double max_stall_ms = 0;             // longest since Start(), wall clock
  // Longest in CPU time of the loop thread: what the loop itself computed.
  // A wall stall well above it is the thread waiting for a core (a busy
  // machine), not work done on the loop.
  double max_stall_cpu_ms = 0;
  std::uint64_t stalls_over_threshold = 0;
  double threshold_ms = 0;
  double busy_ms = 0;                  // total busy time measured
  // Longest over the current and previous window (so at least one window).
  double recent_max_stall_ms = 0;
  std::int64_t window_ms = 0;
};

class LoopStallMeter {
 public:
  explicit LoopStallMeter(uv_loop_t* loop, double threshold_ms = 5.0,
                          std::int64_t window_ms = 10000);
  // Closes the handle if Stop() was not called; the loop must run once more
  // for the close to complete (the handle frees itself).
  ~LoopStallMeter();
  LoopStallMeter(const LoopStallMeter&) = delete;
  LoopStallMeter& operator=(const LoopStallMeter&) = delete;

  // Enables libuv's idle-time metric and starts measuring. The prepare
  // handle is unref'd: it never keeps the loop alive.
  void Start();
  void Stop();  // idempotent

  LoopStallStats stats() const;

 private:
  struct Handle;
  static void OnPrepare(uv_prepare_t* prepare);
  void Record(std::uint64_t now_ns, std::uint64_t idle_ns, std::uint64_t cpu_ns);

  uv_loop_t* loop_;
  const double threshold_ms_;
  const std::uint64_t window_ns_;
  Handle* handle_ = nullptr;  // owned by the loop once closing

  bool have_previous_ = false;
  std::uint64_t previous_ns_ = 0;
  std::uint64_t previous_idle_ns_ = 0;
  std::uint64_t previous_cpu_ns_ = 0;
  std::uint64_t max_cpu_ns_ = 0;

  std::uint64_t iterations_ = 0;
  std::uint64_t max_ns_ = 0;
  std::uint64_t over_threshold_ = 0;
  std::uint64_t busy_ns_ = 0;
  std::uint64_t window_start_ns_ = 0;
  std::uint64_t window_max_ns_ = 0;
  std::uint64_t previous_window_max_ns_ = 0;
};

}  // namespace logbook::net
