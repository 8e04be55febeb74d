#pragma once
// The writer thread: group commit for the events column family
// (ARCHITECTURE.md §4, docs/durability.md).
//
// Thread: Submit() on the loop thread only; RocksDB is written only on the
// writer thread this object owns. The writer drains every pending batch into
// one rocksdb::WriteBatch, writes it with the sync policy, publishes the
// durable offset and then calls the DurabilityCallback, on the writer thread.
// A write refused for lack of space (ResourceExhausted) drops every pending
// batch and rewinds the offsets to the durable one; Submit() then fails with
// that status until the owner has rolled its state back (AllowResume()) and a
// probe write succeeds again. Any other failed write latches: we can't know
// what reached the disk (docs/durability.md).
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/ids.h"
#include "storage/event_log.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace logbook::storage {


// Encoded events with consecutive offsets: values[i] is the value of the
// event at first_offset + i.
struct EncodedBatch {
  core::Offset first_offset = core::kNoOffset;
  std::vector<std::string> values;
  // The audited (non-RENEW) events of the batch: written again to `audit`
  // with their index keys in `audit_index`, in the same WriteBatch.
  struct Audited {
    std::size_t index = 0;                // into `values`
    std::vector<std::string> index_keys;  // storage/audit_index.h
  };
  std::vector<Audited> audited;
  // `meta` entries (peer cursors) committed atomically with the events:
  // applied in order, so a later put of the same key wins. A batch may carry
  // only these (no values).
  std::vector<std::pair<std::string, std::string>> meta_puts;
};

// The audit column families; both null = no audit writes (tests of the
// writer alone).
struct AuditFamilies {
  rocksdb::ColumnFamilyHandle* audit = nullptr;
  rocksdb::ColumnFamilyHandle* audit_index = nullptr;
};

class GroupCommitWriter {
 public:
  // `db` and `events` must outlive the writer. `durable_offset` is the last
  // offset already in the DB; the first batch submitted must start right after
  // it. `on_durable` is called on the writer thread and must not block long:
  // the next group commit waits for it.
  GroupCommitWriter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events, SyncPolicy sync,
                    core::Offset durable_offset, DurabilityCallback on_durable,
                    AuditFamilies audit = {}, std::int64_t disk_full_probe_ms = 250,
                    CommitObserver on_commit = nullptr,
                    rocksdb::ColumnFamilyHandle* meta = nullptr);
  ~GroupCommitWriter();  // Stop()s
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Starts the writer thread. Batches submitted before Start() wait for it
  // and are then committed together. REQUIRES: not started before.
  void Start();
  // Writes everything pending (starting the thread if needed), then joins it.
  // Idempotent.
  void Stop();

  // Queues `batch`. Fails, queuing nothing, after a write failed (the latched
  // status), while the disk is full (ResourceExhausted) or after Stop()
  // (FailedPrecondition). REQUIRES: batch offsets continue last_submitted().
  // With `spare`, a batch already written is moved there when one is free,
  // contents and all: the caller clears and refills it, so its vectors' and
  // strings' buffers serve again instead of being freed and allocated anew.
  absl::Status Submit(EncodedBatch batch, EncodedBatch* spare = nullptr);

  // From now on Submit() queues without waking the writer: batches wait for
  // the next WakeUp(). Lets a loop hand over everything one turn appended
  // with one wakeup, instead of a futex wake per request. Before Start().
  void DeferWakeups();
  // Hands every queued batch to the writer (with deferred wakeups; a no-op
  // otherwise). Stop() writes queued batches whether woken or not.
  void WakeUp();

  // Highest offset submitted and not dropped: after a disk-full failure this
  // falls back to the durable offset, so offsets stay dense.
  core::Offset last_submitted() const;

  // After a disk-full failure: the owner has rolled back whatever it built on
  // the dropped batches, so the writer may probe the disk and, once a write
  // succeeds, accept batches again (announced by a DurabilityCallback with
  // OK). Until then the writer does not resume, so no batch can be accepted
  // on top of state that still shows the dropped events.
  void AllowResume();

  // Any thread.
  core::Offset durable_offset() const { return durable_offset_.load(std::memory_order_acquire); }
  // The latched write failure, or OK.
  absl::Status status() const;
  EventLogStats stats() const;

 private:
  void Run();
  // Writes `batches` as one WriteBatch; returns the status of the write.
  absl::Status Commit(const std::vector<EncodedBatch>& batches, core::Offset last_offset);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (!pending_.empty() && handed_over_) || stopping_;
  }
  // Disk full: waits for AllowResume(), then probes every probe interval
  // until a write succeeds (true) or Stop()/a non-space error ends it (false).
  bool ProbeUntilWritable();
  // One probe: clears RocksDB's background error, then writes and syncs a
  // small record. OK when the disk takes writes again.
  absl::Status Probe();

  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const events_;
  const AuditFamilies audit_;
  rocksdb::ColumnFamilyHandle* const meta_;  // null: batches must not carry meta puts
  const SyncPolicy sync_;
  const DurabilityCallback on_durable_;
  const std::int64_t disk_full_probe_ms_;
  const CommitObserver on_commit_;
  std::atomic<core::Offset> durable_offset_;

  mutable absl::Mutex mu_;
  std::vector<EncodedBatch> pending_ ABSL_GUARDED_BY(mu_);
  core::Offset last_submitted_ ABSL_GUARDED_BY(mu_);
  absl::Status latched_ ABSL_GUARDED_BY(mu_);
  absl::Status disk_full_ ABSL_GUARDED_BY(mu_);  // ResourceExhausted while full
  bool resume_allowed_ ABSL_GUARDED_BY(mu_) = false;
  bool defer_wakeups_ ABSL_GUARDED_BY(mu_) = false;
  // pending_ may be taken: set by Submit() or, with deferred wakeups, WakeUp().
  bool handed_over_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  EventLogStats stats_ ABSL_GUARDED_BY(mu_);

  // The audit index keys of the commit being written, sorted before they go
  // into the WriteBatch. Writer thread only; kept to reuse its capacity.
  struct IndexPut {
    std::string_view key;  // into the commit's EncodedBatch
    core::Offset offset;   // of the event it indexes, for error messages
  };
  std::vector<IndexPut> index_puts_;

  // Written batches, for Submit() to hand back for reuse (bounded).
  std::vector<EncodedBatch> spare_batches_ ABSL_GUARDED_BY(mu_);

  // Joined by Stop(); touched only by the thread calling Start()/Stop().
  std::thread thread_;
};

}  // namespace logbook::storage
