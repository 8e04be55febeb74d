#include "net/loop_handles.h"

namespace logbook::net {

uv_timer_t* NewLoopTimer(uv_loop_t* loop, void* owner) {
  auto* timer = new uv_timer_t;
  uv_timer_init(loop, timer);
  timer->data = owner;
  return timer;
}

uv_idle_t* NewLoopIdle(uv_loop_t* loop, void* owner) {
  auto* idle = new uv_idle_t;
  uv_idle_init(loop, idle);
  idle->data = owner;
  return idle;
}

}  // namespace logbook::net
