#pragma once
// The write path after a decision: append (offsets assigned), apply to the
// registry at once in offset order, then hold the reply until the events are
// durable (ARCHITECTURE.md §2 steps 3-4). Reads use AfterDurable() too, so a
// response never shows state that could still be lost.
//
// A full disk (ResourceExhausted from the journal) is not fatal: the events
// applied but not durable are dropped by the writer, so the pipeline fails
// their waiters, has the app roll the registry back to the durable log (the
// rollback hook), and refuses writes until the writer reports it can write
// again. Reads go on, served from the rolled-back registry. Any other
// failure stops the pipeline for good (fail-stop).
//
// Thread: loop thread only. OnDurable() is posted to the loop by the writer.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "core/event.h"
#include "core/event_journal.h"
#include "core/registry.h"
#include "net/metrics.h"

namespace logbook::net {

using DurableCallback = absl::AnyInvocable<void(absl::Status) &&>;

class WritePipeline {
 public:
  // `durable_offset`: what is already durable (the recovered log's end).
  WritePipeline(core::Registry& registry, core::EventJournal& journal,
                core::Offset durable_offset);

  // Appends and applies `events` (none: behaves like AfterDurable), then calls
  // `done` once they are durable, or with the failure. After a failure every
  // later commit fails at once with the latched status (fail-stop); while the
  // disk is full, with the disk-full status.
  void Commit(std::vector<core::Event> events, DurableCallback done);

  // Commit() for events pulled from a peer: `cursor` is written in the same
  // atomic batch (core::EventJournal::AppendWithCursor). With no events the
  // cursor alone is queued and `done` runs once everything before is durable.
  void CommitReplicated(std::vector<core::Event> events, const core::PeerCursor& cursor,
                        DurableCallback done);

  // Calls `done` once everything applied so far is durable.
  void AfterDurable(DurableCallback done);

  // The event vector of the last Commit(), events still in it, for the next
  // decision to carry its events in (core::DecideRenew clears it, reusing
  // their strings' buffers): a renewal then allocates no vector and no
  // string. Empty (no capacity) when there is none.
  std::vector<core::Event> TakeSpareEvents() { return std::move(spare_events_); }

  // From the writer (via the loop mailbox).
  void OnDurable(core::Offset durable_offset, absl::Status status);

  core::Offset durable_offset() const { return durable_offset_; }
  const absl::Status& failure() const { return failure_; }
  // ResourceExhausted while the disk is full and writes are refused; OK else.
  const absl::Status& disk_full() const { return disk_full_; }
  bool accepting_writes() const { return failure_.ok() && disk_full_.ok(); }
  // Times the disk filled up since start (each ends when a probe write succeeds).
  std::uint64_t disk_full_episodes() const { return disk_full_episodes_; }
  // Rebuilds the registry from the durable log (in place: everything holds a
  // reference to it) after a disk-full failure, and lets the journal resume.
  // An error from it is treated as a fatal failure.
  void SetRollback(std::function<absl::Status()> rollback) { rollback_ = std::move(rollback); }
  // Called when the disk fills (with the status) and when writes resume (OK).
  void SetDiskFullListener(std::function<void(const absl::Status&)> listener) {
    disk_full_listener_ = std::move(listener);
  }
  // Called once when the log fails; the app stops the node (fail-stop).
  void SetFailureListener(std::function<void(const absl::Status&)> listener) {
    failure_listener_ = std::move(listener);
  }
  // Adds a listener called with every event right after it is applied
  // (long-poll waiters, metrics, logs), in the order added; loop thread.
  void AddAppliedListener(std::function<void(const core::Event&)> listener) {
    applied_listeners_.push_back(std::move(listener));
  }
  // Observes, in seconds, each Commit()'s wait from append to durable (null:
  // none). The histogram must outlive the pipeline.
  void SetAppendLatencyHistogram(Histogram* histogram) { append_latency_ = histogram; }

 private:
  struct Waiter {
    core::Offset offset;
    DurableCallback done;
    // When its events were appended; unset for AfterDurable() (no append).
    std::optional<std::chrono::steady_clock::time_point> appended;
  };
  void CommitWith(std::vector<core::Event> events, const core::PeerCursor* cursor,
                  DurableCallback done);
  void Fail(absl::Status status);
  void EnterDiskFull(absl::Status status);
  void FailWaiters(const absl::Status& status);

  core::Registry& registry_;
  core::EventJournal& journal_;
  core::Offset durable_offset_;
  absl::Status failure_;
  absl::Status disk_full_;
  std::uint64_t disk_full_episodes_ = 0;
  std::function<absl::Status()> rollback_;
  std::function<void(const absl::Status&)> disk_full_listener_;
  std::deque<Waiter> waiters_;  // ascending offsets
  std::function<void(const absl::Status&)> failure_listener_;
  std::vector<std::function<void(const core::Event&)>> applied_listeners_;
  std::vector<core::Event> spare_events_;  // see TakeSpareEvents()
  Histogram* append_latency_ = nullptr;
};

}  // namespace logbook::net
