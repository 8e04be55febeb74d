// LoopStallMeter: a callback that blocks the loop shows up as a stall of at
// least its length; time spent waiting in poll does not.
#include "net/loop_stall_meter.h"

#include <time.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "gtest/gtest.h"

namespace logbook::net {
namespace {

std::int64_t ThreadCpuNs() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void BusyFor(std::chrono::milliseconds duration) {
  // Spinning, not sleeping: a stall is the loop thread being busy. Spun in
  // the thread's CPU time, so that a loaded machine preempting the test
  // stretches the wall time but not the work.
  const std::int64_t until =
      ThreadCpuNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
  while (ThreadCpuNs() < until) {
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
  EXPECT_GE(stats.max_stall_ms, 39.9);  // the meter keeps whole microseconds
  EXPECT_GE(stats.max_stall_cpu_ms, 39.9);
  // One thread's CPU time never runs ahead of the wall clock.
  EXPECT_LE(stats.max_stall_cpu_ms, stats.max_stall_ms + 1.0);
  // Bounded above too: the blocked tick alone, not the waits around it (a
  // loaded machine may stretch the spin by preempting it, never to seconds).
  EXPECT_LT(stats.max_stall_ms, 2000.0);
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
  // Counting the waits would give >= 60 ms per iteration and >= 240 ms in
  // all; the bounds leave room for preemption on a loaded machine.
  EXPECT_LT(stats.max_stall_ms, 55.0);
  EXPECT_LT(stats.max_stall_cpu_ms, 30.0);
  EXPECT_LT(stats.busy_ms, 150.0);
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
