#pragma once
// The way into the loop thread: other threads (the RocksDB writer, tests)
// Post() tasks, and a uv_async_t runs them on the loop, in posting order.
//
// Thread: Post() from any thread; construction, Close() and destruction on
// the loop thread. Tasks run on the loop thread.
#include <uv.h>

#include <memory>

#include "absl/functional/any_invocable.h"

namespace logbook::net {

class LoopMailbox {
 public:
  explicit LoopMailbox(uv_loop_t* loop);
  // Closes if still open. REQUIRES: no thread is inside Post(), and none
  // will call it again (Post after Close, before destruction, is fine).
  ~LoopMailbox();
  LoopMailbox(const LoopMailbox&) = delete;
  LoopMailbox& operator=(const LoopMailbox&) = delete;

  // Queues `task` to run on the loop thread. Returns false once the mailbox
  // is closed; the task is then destroyed here, on the calling thread,
  // without running.
  bool Post(absl::AnyInvocable<void()> task);

  // Refuses new tasks, runs those already queued (now, on this thread),
  // and closes the async handle, which stops it keeping the loop alive.
  // Idempotent.
  void Close();

 private:
  struct State;
  static void OnAsync(uv_async_t* async);
  static void OnClosed(uv_handle_t* handle);

  // Shared with the handle's close callback, so that destroying the
  // mailbox right after Close() is safe.
  std::shared_ptr<State> state_;
};

}  // namespace logbook::net
