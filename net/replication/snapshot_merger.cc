#include "net/replication/snapshot_merger.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
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
  std::int64_t longest_task_cpu_ns ABSL_GUARDED_BY(mu) = 0;
  bool last_task_done ABSL_GUARDED_BY(mu) = false;  // the phase is over
  bool durable ABSL_GUARDED_BY(mu) = false;
  absl::Status error ABSL_GUARDED_BY(mu);  // the first commit failure
  // Written by loop tasks (and by the puller between phases), read by the
  // puller once the task it waited for ran: each task's post and its
  // completion order them.
  std::optional<std::pair<std::string, std::string>> scanned_to;
  std::vector<core::AbsentInstance> absent;
  std::size_t next_record = 0;                  // first of `records` not decided
  core::RecentRemovals removals;                // the local window's, as of removals_seen
  std::optional<std::uint64_t> removals_seen;
  std::vector<core::AbsentInstance> removable;  // absent, last changed at the peer
  std::size_t next_removal = 0;                 // first of `removable` not decided
  std::size_t replaced = 0;
  std::size_t removed = 0;
  std::size_t kept = 0;
};

namespace {

using Job = SnapshotMerger::Job;
using SteadyClock = std::chrono::steady_clock;

// CPU time of the calling thread: a loop task's cost without the time the
// loop thread waited for a core.
std::int64_t ThreadCpuNs() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void RecordFailure(Job& job, absl::Status status) {
  absl::MutexLock lock(&job.mu);
  if (job.error.ok()) job.error = std::move(status);
}

// One loop task's allowance: its wall-clock budget and, in tests, a cap on
// the instances it handles. The first group always goes, so every task
// makes progress however loaded the machine is.
class TaskAllowance {
 public:
  explicit TaskAllowance(const SnapshotMergeOptions& options)
      : options_(options),
        deadline_(SteadyClock::now() + std::chrono::microseconds(options.task_budget_us)) {}

  // How many instances the next group may take after `done` of them (0: the
  // task yields now).
  std::size_t NextGroup(std::size_t done, std::size_t group) const {
    if (options_.max_task_instances > 0) {
      if (done >= options_.max_task_instances) return 0;
      group = std::min(group, options_.max_task_instances - done);
    }
    if (done > 0 && SteadyClock::now() >= deadline_) return 0;
    return std::max<std::size_t>(group, 1);
  }

 private:
  const SnapshotMergeOptions& options_;
  const SteadyClock::time_point deadline_;
};

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
                               SnapshotMergeOptions options)
    : context_(context), mailbox_(mailbox), pipeline_(pipeline), cursors_(cursors),
      options_(options) {}

absl::Status SnapshotMerger::RunTasks(const std::shared_ptr<Job>& job,
                                      const std::atomic<bool>& stopping,
                                      std::function<bool()> task) {
  auto shared_task = std::make_shared<const std::function<bool()>>(std::move(task));
  Job* raw = job.get();
  for (;;) {
    std::size_t target = 0;
    {
      absl::MutexLock lock(&job->mu);
      target = job->tasks_run + 1;
    }
    const bool posted = mailbox_.Post([job, shared_task]() {
      const std::int64_t started_ns = ThreadCpuNs();
      const bool done = (*shared_task)();
      const std::int64_t spent_ns = ThreadCpuNs() - started_ns;
      absl::MutexLock lock(&job->mu);
      job->last_task_done = done;
      ++job->tasks_run;
      job->longest_task_cpu_ns = std::max(job->longest_task_cpu_ns, spent_ns);
    });
    if (!posted) return absl::CancelledError("loop closed");
    const auto ran = [raw, target]() { return raw->tasks_run >= target; };
    bool done = false;
    {
      absl::MutexLock lock(&job->mu);
      // Stop() does not signal this mutex: look at the flag every few ms.
      while (!job->mu.AwaitWithTimeout(absl::Condition(&ran), absl::Milliseconds(20))) {
        if (stopping.load()) return absl::CancelledError("stopping");
      }
      RETURN_IF_ERROR(job->error);
      done = job->last_task_done;
    }
    if (done) return absl::OkStatus();
    for (std::int64_t paused = 0; paused < options_.pause_between_tasks_ms; paused += 10) {
      if (stopping.load()) return absl::CancelledError("stopping");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

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
  const core::Clock* clock = context_.clock;
  WritePipeline* pipeline = &pipeline_;
  const SnapshotMergeOptions options = options_;

  // Our instances the snapshot lacks. A visit is a lookup or two, far
  // cheaper than a decision: more of them between looks at the clock.
  RETURN_IF_ERROR(RunTasks(job, stopping, [job, local, options] {
    const TaskAllowance allowance(options);
    std::size_t visited = 0;
    for (std::size_t group = 0;
         (group = allowance.NextGroup(visited, 8 * options.group_instances)) > 0;
         visited += group) {
      job->scanned_to =
          core::CollectAbsentInstances(*local, *job->theirs, job->scanned_to, group, &job->absent);
      if (!job->scanned_to.has_value()) return true;
    }
    return false;
  }));
  // Off the loop (log reads): only those whose last change was the peer's
  // can be removed by its snapshot.
  for (const core::AbsentInstance& absent : job->absent) {
    if (OriginOfLastChange(context_, absent) == peer) job->removable.push_back(absent);
  }
  job->kept += job->absent.size() - job->removable.size();

  // The snapshot's instances, decided, appended and applied a group at a
  // time.
  RETURN_IF_ERROR(RunTasks(job, stopping, [job, local, clock, pipeline, options] {
    const TaskAllowance allowance(options);
    core::MergeSource source = job->source;
    source.now_ms = clock->NowMs();
    // Only an instance we do not hold needs them: brought up to date once
    // per task, when first needed (the task's own events remove nothing).
    bool removals_current = false;
    std::size_t done = 0;
    for (std::size_t group = 0; job->next_record < job->records.size() &&
                            (group = allowance.NextGroup(done, options.group_instances)) > 0;
         done += group) {
      const std::size_t end = std::min(job->next_record + group, job->records.size());
      std::vector<core::Event> events;
      for (; job->next_record < end; ++job->next_record) {
        const core::InstanceRecord& theirs = *job->records[job->next_record];
        const std::string instance_id(theirs.info.EffectiveId());
        if (!removals_current && local->Find(theirs.info.app, instance_id) == nullptr) {
          core::UpdateRecentRemovals(*local, &job->removals_seen, &job->removals);
          removals_current = true;
        }
        std::optional<core::Event> event = core::DecideMergedInstance(
            *local, job->removals, theirs, job->theirs->OverrideFor(instance_id), source);
        if (!event.has_value()) {
          ++job->kept;
          continue;
        }
        ++job->replaced;
        events.push_back(*std::move(event));
      }
      if (events.empty()) continue;
      pipeline->Commit(std::move(events), [job](absl::Status status) {
        if (!status.ok()) RecordFailure(*job, std::move(status));
      });
    }
    return job->next_record == job->records.size();
  }));

  // Ours that the peer removed; the task that reaches the end commits the
  // cursor with its events.
  const core::PeerCursor cursor{peer, fetched->log_identity, fetched->transfer.offset + 1};
  CursorTable* cursors = &cursors_;
  RETURN_IF_ERROR(RunTasks(job, stopping, [job, local, clock, pipeline, cursors, cursor, options] {
    const TaskAllowance allowance(options);
    core::MergeSource source = job->source;
    source.now_ms = clock->NowMs();
    std::size_t done = 0;
    for (std::size_t group = 0; (group = allowance.NextGroup(done, options.group_instances)) > 0;
         done += group) {
      const std::size_t end = std::min(job->next_removal + group, job->removable.size());
      std::vector<core::Event> events;
      for (; job->next_removal < end; ++job->next_removal) {
        const core::AbsentInstance& absent = job->removable[job->next_removal];
        // Changed here since its origin was looked up: that change is not
        // the peer's, so the snapshot's absence does not speak for it.
        const core::InstanceRecord* ours = local->Find(absent.app, absent.instance_id);
        std::optional<core::Event> event;
        if (ours != nullptr && ours->last_change_offset == absent.last_change_offset) {
          event = core::DecideMergedRemoval(*local, absent.app, absent.instance_id, source);
        }
        if (!event.has_value()) {
          ++job->kept;
          continue;
        }
        ++job->removed;
        events.push_back(*std::move(event));
      }
      if (job->next_removal == job->removable.size()) {
        // As the applier does: held from the append on (a failed write
        // stops the node, so memory never runs ahead of a live log).
        cursors->Set(cursor);
        pipeline->CommitReplicated(std::move(events), cursor, [job](absl::Status status) {
          absl::MutexLock lock(&job->mu);
          if (!status.ok() && job->error.ok()) job->error = std::move(status);
          job->durable = true;
        });
        return true;
      }
      if (events.empty()) continue;
      pipeline->Commit(std::move(events), [job](absl::Status status) {
        if (!status.ok()) RecordFailure(*job, std::move(status));
      });
    }
    return false;
  }));
  Job* raw = job.get();
  const auto durable = [raw]() { return raw->durable; };
  {
    absl::MutexLock lock(&job->mu);
    while (!job->mu.AwaitWithTimeout(absl::Condition(&durable), absl::Milliseconds(20))) {
      if (stopping.load()) return absl::CancelledError("stopping");
    }
    RETURN_IF_ERROR(job->error);
    return MergeReport{cursor,       job->records.size(), job->replaced,
                       job->removed, job->kept,           job->tasks_run,
                       job->longest_task_cpu_ns / 1000};
  }
}

}  // namespace logbook::net::replication
