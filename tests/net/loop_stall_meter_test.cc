// LoopStallMeter: a callback that blocks the loop shows up as a stall of at
// least its length; time spent waiting in poll does not.
#include "net/loop_stall_meter.h"

#include <chrono>
#include <ctime>
#include <thread>

#include "gtest/gtest.h"

namespace logbook::net {
namespace {

// Spins until the calling thread has used `duration` of CPU: a stall is the
// loop thread being busy, and counting CPU rather than wall time keeps the
// amount of work fixed when a loaded machine preempts the test.
void BusyFor(std::chrono::milliseconds duration) {
  const auto thread_cpu = [] {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
  };
  const auto until = thread_cpu() + duration;
  while (thread_cpu() < until) {
  }
}

struct Script {
  int ticks = 0;
  int block_on_tick = -1;
  std::chrono::milliseconds block_for{0};
  int stop_after = 0;
};

// Runs a repeating timer `script.stop_after` times on a fresh loop with a
// meter, blocking on one tick; returns the meter's stats at the end.
LoopStallStats RunTicks(Script script, std::uint64_t tick_ms) {
  uv_loop_t loop;
  EXPECT_EQ(uv_loop_init(&loop), 0);
  LoopStallMeter meter(&loop, 5.0, 60000);
  meter.Start();
  uv_timer_t timer;
  uv_timer_init(&loop, &timer);
  timer.data = &script;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        Script& s = *static_cast<Script*>(t->data);
        if (s.ticks == s.block_on_tick) BusyFor(s.block_for);
        if (++s.ticks == s.stop_after) uv_timer_stop(t);
      },
      tick_ms, tick_ms);
  uv_run(&loop, UV_RUN_DEFAULT);  // ends once the timer stopped: the meter is unref'd
  const LoopStallStats stats = meter.stats();
  meter.Stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  return stats;
}

TEST(LoopStallMeter, ABlockingCallbackIsTheLongestStall) {
  const LoopStallStats stats =
      RunTicks({.block_on_tick = 3, .block_for = std::chrono::milliseconds(40), .stop_after = 6},
               2);
  EXPECT_GE(stats.max_stall_ms, 40.0);
  // The spin is 40 ms of the loop thread's CPU; allow for the accounting's
  // granularity.
  EXPECT_GE(stats.max_stall_cpu_ms, 35.0);
  EXPECT_LE(stats.max_stall_cpu_ms, stats.max_stall_ms + 5.0);
  // Bounded above too: the blocked tick alone, not the waits around it (a
  // loaded machine may add preemption, never seconds).
  EXPECT_LT(stats.max_stall_ms, 1000.0);
  EXPECT_GE(stats.stalls_over_threshold, 1u);
  EXPECT_GE(stats.recent_max_stall_ms, 40.0);
  EXPECT_GE(stats.iterations, 5u);
  EXPECT_GE(stats.busy_ms, 40.0);
  EXPECT_EQ(stats.threshold_ms, 5.0);
}

TEST(LoopStallMeter, WaitingInPollIsNotAStall) {
  // Five 60 ms waits with nothing to do: wall time between prepares is
  // >= 60 ms each, busy time is tiny.
  const LoopStallStats stats = RunTicks({.stop_after = 5}, 60);
  EXPECT_GE(stats.iterations, 4u);
  EXPECT_LT(stats.max_stall_ms, 30.0);
  EXPECT_LT(stats.max_stall_cpu_ms, 30.0);
  EXPECT_LT(stats.busy_ms, 60.0);
}

TEST(LoopStallMeter, StopBeforeTheLoopRunsLeavesNothingBehind) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    LoopStallMeter meter(&loop);
    meter.Start();
  }  // destroyed: the handle closes and frees itself on the next run
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace logbook::net
