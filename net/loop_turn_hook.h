#pragma once
// Runs a callback once per loop turn, when the turn's callbacks are done:
// after the I/O callbacks (uv_check) and again right before the loop blocks
// in poll (uv_prepare), which also follows the timer, pending-write and
// close callbacks. Work queued by any callback of a turn is thus handed on
// before the loop can sleep, once for all of it (the write path hands a
// turn's appends to the log writer this way: one wakeup, not one per request).
//
// Thread: everything on the loop thread. The handles are unref'd: they never
// keep the loop alive.
#include <uv.h>

#include <functional>

namespace logbook::net {

class LoopTurnHook {
 public:
  LoopTurnHook(uv_loop_t* loop, std::function<void()> on_turn_end);
  // Stop()s; the loop must run once more for the handles to close.
  ~LoopTurnHook();
  LoopTurnHook(const LoopTurnHook&) = delete;
  LoopTurnHook& operator=(const LoopTurnHook&) = delete;

  // Idempotent; the callback never runs afterwards.
  void Stop();

 private:
  struct Handles;
  static void OnCheck(uv_check_t* check);
  static void OnPrepare(uv_prepare_t* prepare);

  std::function<void()> on_turn_end_;
  Handles* handles_;  // owned by the loop once closing
};

}  // namespace logbook::net
