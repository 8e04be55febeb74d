#include "net/loop_mailbox.h"

#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/status.h"

namespace logbook::net {

struct LoopMailbox::State {
  uv_async_t async;
  absl::Mutex mutex;
  std::vector<absl::AnyInvocable<void()>> tasks ABSL_GUARDED_BY(mutex);
  // Set under the mutex before the handle closes: uv_async_send on a
  // closing handle is undefined, so Post checks it under the same lock.
  bool closed ABSL_GUARDED_BY(mutex) = false;
  bool handle_closed = false;  // loop thread only
  // Keeps this alive until the close callback; reset there.
  std::shared_ptr<State> self_while_closing;
};

LoopMailbox::LoopMailbox(uv_loop_t* loop) : state_(std::make_shared<State>()) {
  LOGBOOK_CHECK(uv_async_init(loop, &state_->async, &LoopMailbox::OnAsync) == 0);
  state_->async.data = state_.get();
}

LoopMailbox::~LoopMailbox() { Close(); }

bool LoopMailbox::Post(absl::AnyInvocable<void()> task) {
  {
    absl::MutexLock lock(&state_->mutex);
    if (!state_->closed) {
      state_->tasks.push_back(std::move(task));
      // One wakeup drains every queued task; libuv coalesces sends anyway,
      // but skipping them saves a syscall under load.
      if (state_->tasks.size() == 1) uv_async_send(&state_->async);
      return true;
    }
  }
  return false;  // `task` is destroyed here, outside the lock
}

void LoopMailbox::OnAsync(uv_async_t* async) {
  auto* state = static_cast<State*>(async->data);
  std::vector<absl::AnyInvocable<void()>> tasks;
  {
    absl::MutexLock lock(&state->mutex);
    tasks.swap(state->tasks);
  }
  // Tasks posted while these run wait for the next wakeup, so a task that
  // re-posts itself cannot starve the loop.
  for (auto& task : tasks) task();
}

void LoopMailbox::Close() {
  if (state_->handle_closed) return;
  state_->handle_closed = true;
  std::vector<absl::AnyInvocable<void()>> tasks;
  {
    absl::MutexLock lock(&state_->mutex);
    state_->closed = true;
    tasks.swap(state_->tasks);
  }
  // Whoever posted them expects them to run (a durable-write completion
  // must reach its waiter), so run rather than drop them.
  for (auto& task : tasks) task();
  state_->self_while_closing = state_;
  uv_close(reinterpret_cast<uv_handle_t*>(&state_->async), &LoopMailbox::OnClosed);
}

void LoopMailbox::OnClosed(uv_handle_t* handle) {
  auto* state = static_cast<State*>(handle->data);
  // May free `state`.
  std::shared_ptr<State> keep = std::move(state->self_while_closing);
}

}  // namespace logbook::net
