#include "net/replication/snapshot_merger.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/snapshot_merge.h"
#include "core/status.h"
#include "net/replication/snapshot_fetcher.h"

namespace logbook::net::replication {

// One merge's state, shared by the puller's thread and the loop tasks it
// posts: a task may still run after the puller gave up waiting (stopping),
// so it owns what it reads.
struct SnapshotMerger::Job {
  std::unique_ptr<core::Registry> theirs;
  core::MergeSource source;
  std::vector<const core::InstanceRecord*> records;  // theirs, in (app, id) order

  absl::Mutex mu;
  std::size_t tasks_run ABSL_GUARDED_BY(mu) = 0;
  bool durable ABSL_GUARDED_BY(mu) = false;
  absl::Status error ABSL_GUARDED_BY(mu);  // the first commit failure
  // Written by loop tasks, read by the puller once the task it waited for ran.
  std::optional<std::pair<std::string, std::string>> scanned_to;
  std::vector<core::AbsentInstance> absent;
  std::size_t replaced = 0;
  std::size_t removed = 0;
  std::size_t kept = 0;
};

namespace {

using Job = SnapshotMerger::Job;

void RecordFailure(Job& job, absl::Status status) {
  absl::MutexLock lock(&job.mu);
  if (job.error.ok()) job.error = std::move(status);
}

// Posts `task` to the loop and waits until it ran. Cancelled when the loop
// is closed or the puller is stopping.
absl::Status RunOnLoop(LoopMailbox& mailbox, const std::shared_ptr<Job>& job,
                       const std::atomic<bool>& stopping, absl::AnyInvocable<void()> task) {
  std::size_t target = 0;
  {
    absl::MutexLock lock(&job->mu);
    target = job->tasks_run + 1;
  }
  const bool posted = mailbox.Post([job, task = std::move(task)]() mutable {
    task();
    absl::MutexLock lock(&job->mu);
    ++job->tasks_run;
  });
  if (!posted) return absl::CancelledError("loop closed");
  Job* raw = job.get();
  const auto ran = [raw, target]() {
    return raw->tasks_run >= target;
  };
  absl::MutexLock lock(&job->mu);
  // Stop() does not signal this mutex: look at the flag every few ms.
  while (!job->mu.AwaitWithTimeout(absl::Condition(&ran), absl::Milliseconds(20))) {
    if (stopping.load()) return absl::CancelledError("stopping");
  }
  return job->error;
}

// The node that originated the event at `absent.last_change_offset` of this
// log; nullopt when neither the log nor the audit log still holds it.
std::optional<core::NodeId> OriginOfLastChange(const SnapshotMergeContext& context,
                                               const core::AbsentInstance& absent) {
  if (absent.last_change_offset == core::kNoOffset) return std::nullopt;
  std::vector<core::Event> events;
  if (context.journal->Read(absent.last_change_offset, 1, &events).ok() && !events.empty() &&
      events.front().offset == absent.last_change_offset) {
    return events.front().origin_node;
  }
  if (context.audit == nullptr) return std::nullopt;
  core::AuditQuery query;
  query.app = absent.app;
  query.instance_id = absent.instance_id;
  query.from = absent.last_change_offset;
  query.limit = 1;
  absl::StatusOr<core::AuditPage> page = context.audit->History(query);
  if (!page.ok() || page->entries.empty() ||
      page->entries.front().event.offset != absent.last_change_offset) {
    return std::nullopt;
  }
  return page->entries.front().event.origin_node;
}

}  // namespace

SnapshotMerger::SnapshotMerger(const SnapshotMergeContext& context, LoopMailbox& mailbox,
                               WritePipeline& pipeline, CursorTable& cursors,
                               std::size_t chunk_instances)
    : context_(context),
      mailbox_(mailbox),
      pipeline_(pipeline),
      cursors_(cursors),
      chunk_instances_(std::max<std::size_t>(chunk_instances, 1)) {}

absl::StatusOr<MergeReport> SnapshotMerger::Merge(PeerHttpClient& client, const core::NodeId& self,
                                                  const core::NodeId& peer,
                                                  std::int64_t read_timeout_ms,
                                                  const std::atomic<bool>& stopping) {
  // Asked before the peer exports: whatever our copy did after this, the
  // snapshot cannot have seen.
  const core::TimestampMs asked_ms = context_.clock->NowMs();
  std::unique_ptr<core::Registry> decoded;
  const SnapshotValidator decode = [this, &decoded](std::string_view snapshot,
                                                    core::Offset offset) -> absl::Status {
    absl::StatusOr<std::unique_ptr<core::Registry>> registry = context_.decode(snapshot, offset);
    if (!registry.ok()) return registry.status();
    decoded = std::move(*registry);
    return absl::OkStatus();
  };
  ASSIGN_OR_RETURN(std::optional<FetchedSnapshot> fetched,
                   FetchSnapshot(client, self, decode, read_timeout_ms));
  if (!fetched.has_value()) {
    return absl::UnavailableError(absl::StrCat("peer ", peer, " has no snapshot to give yet"));
  }
  if (fetched->node_id != peer) {
    return absl::FailedPreconditionError(
        absl::StrCat("the snapshot came from ", fetched->node_id, ", not ", peer));
  }

  auto job = std::make_shared<Job>();
  job->theirs = std::move(decoded);
  job->source.peer = peer;
  job->source.snapshot_offset = fetched->transfer.offset;
  job->source.snapshot_time_ms = std::max(core::SnapshotTime(*job->theirs), asked_ms);
  for (const auto& [name, application] : job->theirs->applications()) {
    for (const auto& [id, record] : application.instances) job->records.push_back(&record);
  }
  const core::Registry* local = context_.registry;

  // Our instances the snapshot lacks, a chunk of the registry per task.
  do {
    RETURN_IF_ERROR(RunOnLoop(mailbox_, job, stopping, [job, local, limit = chunk_instances_] {
      job->scanned_to =
          core::CollectAbsentInstances(*local, *job->theirs, job->scanned_to, limit, &job->absent);
    }));
  } while (job->scanned_to.has_value());
  // Off the loop (log reads): only those whose last change was the peer's
  // can be removed by its snapshot.
  auto removable = std::make_shared<std::vector<core::AbsentInstance>>();
  for (const core::AbsentInstance& absent : job->absent) {
    if (OriginOfLastChange(context_, absent) == peer) removable->push_back(absent);
  }

  const core::Clock* clock = context_.clock;
  WritePipeline* pipeline = &pipeline_;
  for (std::size_t start = 0; start < job->records.size(); start += chunk_instances_) {
    const std::size_t end = std::min(start + chunk_instances_, job->records.size());
    RETURN_IF_ERROR(RunOnLoop(mailbox_, job, stopping, [job, local, clock, pipeline, start, end] {
      core::MergeSource source = job->source;
      source.now_ms = clock->NowMs();
      const core::RecentRemovals removals = core::RecentRemovalsOf(*local);
      std::vector<core::Event> events;
      for (std::size_t i = start; i < end; ++i) {
        const core::InstanceRecord& theirs = *job->records[i];
        std::optional<core::Event> event = core::DecideMergedInstance(
            *local, removals, theirs, job->theirs->OverrideFor(theirs.info.EffectiveId()), source);
        if (!event.has_value()) {
          ++job->kept;
          continue;
        }
        ++job->replaced;
        events.push_back(*std::move(event));
      }
      if (events.empty()) return;
      pipeline->Commit(std::move(events), [job](absl::Status status) {
        if (!status.ok()) RecordFailure(*job, std::move(status));
      });
    }));
  }

  const core::PeerCursor cursor{peer, fetched->log_identity, fetched->transfer.offset + 1};
  CursorTable* cursors = &cursors_;
  RETURN_IF_ERROR(
      RunOnLoop(mailbox_, job, stopping, [job, local, clock, pipeline, cursors, removable, cursor] {
        core::MergeSource source = job->source;
        source.now_ms = clock->NowMs();
        std::vector<core::Event> events;
        for (const core::AbsentInstance& absent : *removable) {
          // Changed here since its origin was looked up: that change is not
          // the peer's, so the snapshot's absence does not speak for it.
          const core::InstanceRecord* ours = local->Find(absent.app, absent.instance_id);
          std::optional<core::Event> event;
          if (ours != nullptr && ours->last_change_offset == absent.last_change_offset) {
            event = core::DecideMergedRemoval(*local, absent.app, absent.instance_id, source);
          }
          if (event.has_value()) events.push_back(*std::move(event));
        }
        job->removed = events.size();
        job->kept += job->absent.size() - events.size();
        // As the applier does: held from the append on (a failed write stops
        // the node, so memory never runs ahead of a live log).
        cursors->Set(cursor);
        pipeline->CommitReplicated(std::move(events), cursor, [job](absl::Status status) {
          absl::MutexLock lock(&job->mu);
          if (!status.ok() && job->error.ok()) job->error = std::move(status);
          job->durable = true;
        });
      }));
  Job* raw = job.get();
  const auto durable = [raw]() { return raw->durable; };
  {
    absl::MutexLock lock(&job->mu);
    while (!job->mu.AwaitWithTimeout(absl::Condition(&durable), absl::Milliseconds(20))) {
      if (stopping.load()) return absl::CancelledError("stopping");
    }
    RETURN_IF_ERROR(job->error);
  }
  return MergeReport{cursor, job->records.size(), job->replaced, job->removed, job->kept};
}

}  // namespace logbook::net::replication
