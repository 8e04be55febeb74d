#pragma once
// Handles that an object starts and stops on the loop but whose memory the
// loop frees: uv_close completes on a later turn, possibly after the owner
// is gone, so the handle is heap-allocated and deleted in its close callback.
//
// Thread: loop thread only.
#include <uv.h>

namespace logbook::net {

// New initialized handles whose `data` is `owner`.
uv_timer_t* NewLoopTimer(uv_loop_t* loop, void* owner);
uv_idle_t* NewLoopIdle(uv_loop_t* loop, void* owner);

// Closes `handle` (nullptr: nothing), which also stops it, and clears the
// pointer; the loop deletes it once closed.
template <typename Handle>
void CloseLoopHandle(Handle*& handle) {
  if (handle == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* closed) { delete reinterpret_cast<Handle*>(closed); });
  handle = nullptr;
}

}  // namespace logbook::net
