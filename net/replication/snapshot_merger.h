#pragma once
// Merges a peer's snapshot transfer into this node's non-empty registry when
// the peer's log cannot be pulled from our cursor (410 past its retention, or
// a new log identity whose log starts later): docs/replication.md, "Merging
// a peer's snapshot". The transfer is fetched and checked as a bootstrap's
// is (snapshot_fetcher.h), decoded off the loop, and decided on the loop
// (core/snapshot_merge.h) as INSTANCE_SET events of origin (peer, S), in
// loop tasks that each stop after a few milliseconds (SnapshotMergeOptions);
// the last task commits the cursor (peer, its log identity, S + 1) in the
// same WriteBatch as its events, so pulling resumes right after the
// snapshot. A crash before that leaves the old cursor: the next attempt
// merges a fresh snapshot, and what the first one merged already compares
// equal, so nothing is applied twice.
//
// Thread: Merge() on the puller's thread (blocking); the loop tasks it posts
// own everything they touch besides the registry, the pipeline and the
// cursor table, which outlive the replicator.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/audit_journal.h"
#include "core/clock.h"
#include "core/event_journal.h"
#include "core/peer_cursor.h"
#include "core/registry.h"
#include "net/loop_mailbox.h"
#include "net/replication/cursor_table.h"
#include "net/replication/peer_http_client.h"
#include "net/write_pipeline.h"

namespace logbook::net::replication {

// Decodes a snapshot value stored for `offset` (storage's codec: app/ hands
// it in, net/ never includes storage/).
using SnapshotDecoder = std::function<absl::StatusOr<std::unique_ptr<core::Registry>>(
    std::string_view snapshot, core::Offset offset)>;

// What a merge needs of the node besides the replication plumbing. Without
// a decoder the puller only reports needs_snapshot.
struct SnapshotMergeContext {
  const core::Registry* registry = nullptr;  // read in loop tasks only
  SnapshotDecoder decode;
  // Where a local instance's last change came from: the event at its
  // last_change_offset, from the log or, once retention dropped it there,
  // from the audit log.
  const core::EventJournal* journal = nullptr;
  const core::AuditJournal* audit = nullptr;  // may be null
  const core::Clock* clock = nullptr;
  bool enabled() const {
    return registry != nullptr && decode != nullptr && journal != nullptr && clock != nullptr;
  }
};

// How a merge shares the loop. Its own knobs, not the pulls'
// (PullerOptions::apply_chunk_events): a pulled batch is applied in 2,000-event
// chunks because each chunk is a commit of its own and smaller ones cost
// catch-up CPU, while a merge's events cost more each (a whole record decided,
// encoded and applied) and a merge is rare, so it yields to the loop sooner.
struct SnapshotMergeOptions {
  // Wall time one loop task spends deciding, appending and applying before
  // it yields (requests and durability callbacks queued meanwhile run
  // before the next task). Wall, not CPU: a task preempted on a busy
  // machine yields sooner, which is what the waiting requests need.
  std::int64_t task_budget_us = 3000;
  // Instances decided, then appended and applied together, between two
  // looks at the clock: what a task can overrun its budget by.
  std::size_t group_instances = 32;
  // Tests only (logbook.replication.test-only-merge-task-instances): at
  // most this many instances per task; 0 = the budget alone ends a task.
  std::size_t max_task_instances = 0;
  // Tests only (logbook.replication.test-only-merge-pause-ms): the puller's
  // pause between two tasks, so that a test can kill the node mid-merge.
  std::int64_t pause_between_tasks_ms = 0;
};

struct MergeReport {
  core::PeerCursor cursor;  // the peer's, as committed: S + 1 of its log identity
  std::size_t instances = 0;  // in the snapshot
  std::size_t replaced = 0;   // set from the snapshot (added or newer)
  std::size_t removed = 0;    // ours, last changed at the peer, gone from the snapshot
  std::size_t kept = 0;       // ours kept: equal, newer, or another node's
  std::size_t loop_tasks = 0;  // the merge's tasks on the loop
  std::int64_t longest_task_cpu_us = 0;  // the longest of them, in the loop thread's CPU time
};

class SnapshotMerger {
 public:
  SnapshotMerger(const SnapshotMergeContext& context, LoopMailbox& mailbox,
                 WritePipeline& pipeline, CursorTable& cursors, SnapshotMergeOptions options);

  // Fetches `peer`'s snapshot transfer through `client` and merges it; OK
  // once the last task's events and the cursor are durable. Unavailable when the
  // peer has no snapshot to give yet; the fetch's errors otherwise (see
  // FetchSnapshot); Cancelled once `stopping`.
  absl::StatusOr<MergeReport> Merge(PeerHttpClient& client, const core::NodeId& self,
                                    const core::NodeId& peer, std::int64_t read_timeout_ms,
                                    const std::atomic<bool>& stopping);

  struct Job;

 private:
  // Runs `task` on the loop until it reports that it is done (each run is
  // one loop task), pausing between runs as the options say. Cancelled
  // once stopping or the loop is closed; the first commit failure else.
  absl::Status RunTasks(const std::shared_ptr<Job>& job, const std::atomic<bool>& stopping,
                        std::function<bool()> task);

  const SnapshotMergeContext context_;
  LoopMailbox& mailbox_;
  WritePipeline& pipeline_;
  CursorTable& cursors_;
  const SnapshotMergeOptions options_;
};

}  // namespace logbook::net::replication
