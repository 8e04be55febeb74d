#pragma once
// Timers that an object starts and stops on the loop but whose memory the
// loop frees: uv_close completes on a later turn, possibly after the owner
// is gone, so the handle is heap-allocated and deleted in its close callback.
//
// Thread: loop thread only.
#include <uv.h>

namespace logbook::net {

// A new initialized timer whose `data` is `owner`.
uv_timer_t* NewLoopTimer(uv_loop_t* loop, void* owner);
// Stops and closes `timer` (nullptr: nothing) and clears the pointer.
void CloseLoopTimer(uv_timer_t*& timer);

}  // namespace logbook::net
