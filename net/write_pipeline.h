#pragma once
// The write path after a decision: append (offsets assigned), apply to the
// registry at once in offset order, then hold the reply until the events are
// durable (ARCHITECTURE.md §2 steps 3-4). Reads use AfterDurable() too, so a
// response never shows state that could still be lost.
//
// Thread: loop thread only. OnDurable() is posted to the loop by the writer.
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "core/event.h"
#include "core/event_journal.h"
#include "core/registry.h"

namespace logbook::net {

using DurableCallback = absl::AnyInvocable<void(absl::Status) &&>;

class WritePipeline {
 public:
  // `durable_offset`: what is already durable (the recovered log's end).
  WritePipeline(core::Registry& registry, core::EventJournal& journal,
                core::Offset durable_offset);

  // Appends and applies `events` (none: behaves like AfterDurable), then calls
  // `done` once they are durable, or with the failure. After a failure every
  // later commit fails at once with the latched status (fail-stop).
  void Commit(std::vector<core::Event> events, DurableCallback done);

  // Commit() for events pulled from a peer: `cursor` is written in the same
  // atomic batch (core::EventJournal::AppendWithCursor). With no events the
  // cursor alone is queued and `done` runs once everything before is durable.
  void CommitReplicated(std::vector<core::Event> events, const core::PeerCursor& cursor,
                        DurableCallback done);

  // Calls `done` once everything applied so far is durable.
  void AfterDurable(DurableCallback done);

  // From the writer (via the loop mailbox).
  void OnDurable(core::Offset durable_offset, absl::Status status);

  core::Offset durable_offset() const { return durable_offset_; }
  const absl::Status& failure() const { return failure_; }
  // Called once when the log fails; the app stops the node (fail-stop).
  void SetFailureListener(std::function<void(const absl::Status&)> listener) {
    failure_listener_ = std::move(listener);
  }
  // Called with every event right after it is applied (long-poll waiters,
  // metrics); loop thread.
  void SetAppliedListener(std::function<void(const core::Event&)> listener) {
    applied_listener_ = std::move(listener);
  }

 private:
  struct Waiter {
    core::Offset offset;
    DurableCallback done;
  };
  void CommitWith(std::vector<core::Event> events, const core::PeerCursor* cursor,
                  DurableCallback done);
  void Fail(absl::Status status);

  core::Registry& registry_;
  core::EventJournal& journal_;
  core::Offset durable_offset_;
  absl::Status failure_;
  std::deque<Waiter> waiters_;  // ascending offsets
  std::function<void(const absl::Status&)> failure_listener_;
  std::function<void(const core::Event&)> applied_listener_;
};

}  // namespace logbook::net
