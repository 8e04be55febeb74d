#include "net/loop_turn_hook.h"

#include <utility>

#include "core/status.h"

namespace logbook::net {

struct LoopTurnHook::Handles {
  uv_check_t check;
  uv_prepare_t prepare;
  LoopTurnHook* hook;  // null once stopped
  int open = 2;        // freed when both have closed
};

LoopTurnHook::LoopTurnHook(uv_loop_t* loop, std::function<void()> on_turn_end)
    : on_turn_end_(std::move(on_turn_end)), handles_(new Handles{}) {
  handles_->hook = this;
  LOGBOOK_CHECK(uv_check_init(loop, &handles_->check) == 0);
  LOGBOOK_CHECK(uv_prepare_init(loop, &handles_->prepare) == 0);
  handles_->check.data = handles_;
  handles_->prepare.data = handles_;
  uv_check_start(&handles_->check, &LoopTurnHook::OnCheck);
  uv_prepare_start(&handles_->prepare, &LoopTurnHook::OnPrepare);
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->check));
  uv_unref(reinterpret_cast<uv_handle_t*>(&handles_->prepare));
}

LoopTurnHook::~LoopTurnHook() { Stop(); }

void LoopTurnHook::Stop() {
  if (handles_ == nullptr) return;
  handles_->hook = nullptr;
  const auto closed = [](uv_handle_t* handle) {
    auto* handles = static_cast<Handles*>(handle->data);
    if (--handles->open == 0) delete handles;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&handles_->check), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handles_->prepare), closed);
  handles_ = nullptr;
}

void LoopTurnHook::OnCheck(uv_check_t* check) {
  auto* handles = static_cast<Handles*>(check->data);
  if (handles->hook != nullptr) handles->hook->on_turn_end_();
}

void LoopTurnHook::OnPrepare(uv_prepare_t* prepare) {
  auto* handles = static_cast<Handles*>(prepare->data);
  if (handles->hook != nullptr) handles->hook->on_turn_end_();
}

}  // namespace logbook::net
