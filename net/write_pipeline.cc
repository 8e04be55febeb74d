#include "net/write_pipeline.h"

#include <utility>

namespace logbook::net {

WritePipeline::WritePipeline(core::Registry& registry, core::EventJournal& journal,
                             core::Offset durable_offset)
    : registry_(registry), journal_(journal), durable_offset_(durable_offset) {}

void WritePipeline::Commit(std::vector<core::Event> events, DurableCallback done) {
  CommitWith(std::move(events), nullptr, std::move(done));
}

void WritePipeline::CommitReplicated(std::vector<core::Event> events,
                                     const core::PeerCursor& cursor, DurableCallback done) {
  CommitWith(std::move(events), &cursor, std::move(done));
}

void WritePipeline::CommitWith(std::vector<core::Event> events, const core::PeerCursor* cursor,
                               DurableCallback done) {
  if (!failure_.ok()) {
    std::move(done)(failure_);
    return;
  }
  if (events.empty() && cursor == nullptr) {
    AfterDurable(std::move(done));
    return;
  }
  absl::StatusOr<core::Offset> last =
      cursor == nullptr ? journal_.Append(events) : journal_.AppendWithCursor(events, *cursor);
  if (!last.ok()) {
    Fail(last.status());
    std::move(done)(failure_);
    return;
  }
  for (const core::Event& event : events) {
    registry_.Apply(event);
    if (applied_listener_) applied_listener_(event);
  }
  waiters_.push_back(Waiter{*last, std::move(done)});
}

void WritePipeline::AfterDurable(DurableCallback done) {
  if (!failure_.ok()) {
    std::move(done)(failure_);
    return;
  }
  const core::Offset needed = registry_.last_applied_offset();
  if (needed <= durable_offset_ && waiters_.empty()) {
    std::move(done)(absl::OkStatus());
    return;
  }
  // Queued behind earlier waiters so replies keep their order.
  waiters_.push_back(Waiter{needed, std::move(done)});
}

void WritePipeline::OnDurable(core::Offset durable_offset, absl::Status status) {
  if (durable_offset > durable_offset_) durable_offset_ = durable_offset;
  while (!waiters_.empty() && waiters_.front().offset <= durable_offset_) {
    DurableCallback done = std::move(waiters_.front().done);
    waiters_.pop_front();
    std::move(done)(absl::OkStatus());
  }
  if (!status.ok()) Fail(std::move(status));
}

void WritePipeline::Fail(absl::Status status) {
  if (!failure_.ok()) return;
  failure_ = std::move(status);
  // Nothing beyond the durable offset can be acknowledged any more.
  std::deque<Waiter> waiters = std::move(waiters_);
  waiters_.clear();
  for (Waiter& waiter : waiters) std::move(waiter.done)(failure_);
  if (failure_listener_) failure_listener_(failure_);
}

}  // namespace logbook::net
