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
  if (!disk_full_.ok()) {
    std::move(done)(disk_full_);
    return;
  }
  if (events.empty() && cursor == nullptr) {
    AfterDurable(std::move(done));
    return;
  }
  absl::StatusOr<core::Offset> last =
      cursor == nullptr ? journal_.Append(events) : journal_.AppendWithCursor(events, *cursor);
  if (!last.ok() && absl::IsResourceExhausted(last.status())) {
    // The writer hit a full disk and its report is on the way to this loop
    // (OnDurable); nothing of these events was applied.
    std::move(done)(last.status());
    return;
  }
  if (!last.ok()) {
    Fail(last.status());
    std::move(done)(failure_);
    return;
  }
  for (const core::Event& event : events) {
    registry_.Apply(event);
    for (const auto& listener : applied_listeners_) listener(event);
  }
  std::optional<std::chrono::steady_clock::time_point> appended;
  if (append_latency_ != nullptr) appended = std::chrono::steady_clock::now();
  waiters_.push_back(Waiter{*last, std::move(done), appended});
  // A request's vector (one or two events) serves the next decision, its
  // events' strings lending their buffers; a large one (a peer's page) is
  // not worth keeping.
  constexpr std::size_t kSpareEventsCapacity = 4;
  if (events.capacity() <= kSpareEventsCapacity) spare_events_ = std::move(events);
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
  waiters_.push_back(Waiter{needed, std::move(done), std::nullopt});
}

void WritePipeline::OnDurable(core::Offset durable_offset, absl::Status status) {
  if (durable_offset > durable_offset_) durable_offset_ = durable_offset;
  const auto now = append_latency_ != nullptr ? std::chrono::steady_clock::now()
                                              : std::chrono::steady_clock::time_point();
  while (!waiters_.empty() && waiters_.front().offset <= durable_offset_) {
    if (append_latency_ != nullptr && waiters_.front().appended.has_value()) {
      append_latency_->Observe(
          std::chrono::duration<double>(now - *waiters_.front().appended).count());
    }
    DurableCallback done = std::move(waiters_.front().done);
    waiters_.pop_front();
    std::move(done)(absl::OkStatus());
  }
  if (absl::IsResourceExhausted(status)) return EnterDiskFull(std::move(status));
  if (!status.ok()) return Fail(std::move(status));
  if (!disk_full_.ok() && failure_.ok()) {
    // The first OK after a disk-full report: the writer wrote again.
    disk_full_ = absl::OkStatus();
    if (disk_full_listener_) disk_full_listener_(disk_full_);
  }
}

void WritePipeline::EnterDiskFull(absl::Status status) {
  if (!failure_.ok()) return;
  if (disk_full_.ok()) ++disk_full_episodes_;
  disk_full_ = std::move(status);
  // The writer dropped every event after the durable offset: none of these
  // waiters will ever be durable.
  FailWaiters(disk_full_);
  if (disk_full_listener_) disk_full_listener_(disk_full_);
  // The registry still shows the dropped events; memory must never show
  // what is not durable.
  if (!rollback_) return Fail(absl::InternalError("disk full and no rollback to the durable log"));
  if (absl::Status rolled_back = rollback_(); !rolled_back.ok()) return Fail(std::move(rolled_back));
}

void WritePipeline::FailWaiters(const absl::Status& status) {
  std::deque<Waiter> waiters = std::move(waiters_);
  waiters_.clear();
  for (Waiter& waiter : waiters) std::move(waiter.done)(status);
}

void WritePipeline::Fail(absl::Status status) {
  if (!failure_.ok()) return;
  failure_ = std::move(status);
  // Nothing beyond the durable offset can be acknowledged any more.
  FailWaiters(failure_);
  if (failure_listener_) failure_listener_(failure_);
}

}  // namespace logbook::net
