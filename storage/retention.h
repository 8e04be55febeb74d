#pragma once
// Bounded retention of the log (docs/log-format.md, "Retention").
//
// `events` keeps every event for renew_retention_ms; below that horizon whole
// offset ranges are dropped with one DeleteRange (plus a CompactRange of the
// dropped range), never by scanning, and `first_offset` moves up (persisted
// in `meta` in the same WriteBatch). The horizon never passes the floor
// (SetFloor: the oldest offset recovery still needs, e.g. the newest
// snapshot's offset + 1) nor the last durable event, so offsets stay dense
// and the last offset is always derivable from the DB.
//
// `audit` and the t| part of `audit_index` keep audited events for
// audit_retention_ms and are dropped the same way; i|/a| index entries of
// dropped offsets are skipped by queries (they seek past the audit floor)
// and removed by the audit_index compaction filter (storage/db.cc).
//
// Thread: RunOnce() from any thread, one run at a time (serialized by a
// mutex); Start()/Stop() from the thread owning this object. The retention
// thread writes only ranges below the durable offset, disjoint from what the
// writer thread writes; both go through RocksDB, which is thread-safe.
// Readers see a floor raised before the data under it is deleted.
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/clock.h"
#include "core/ids.h"

namespace logbook::storage {

class Db;

struct RetentionOptions {
  std::int64_t renew_retention_ms = 15 * 60 * 1000;
  std::int64_t audit_retention_ms = 30LL * 24 * 3600 * 1000;
  std::int64_t interval_ms = 60 * 1000;  // between two runs of the thread
  // Called on the retention thread when a run fails (the next run retries);
  // unset: a line on stderr.
  std::function<void(const absl::Status&)> on_error;
};

struct RetentionRun {
  core::Offset first_offset = 1;        // oldest offset kept in `events`
  core::Offset audit_first_offset = 1;  // oldest offset kept in `audit`
  std::uint64_t events_dropped = 0;
  std::uint64_t audit_dropped = 0;  // offsets below the new audit floor (not all audited)
};

class Retention {
 public:
  // `db`, `first_offset` and `audit_first_offset` (read by readers, raised
  // here) must outlive this object. `durable_offset` returns the last offset
  // durable in `events`; any thread.
  Retention(Db& db, RetentionOptions options, std::atomic<core::Offset>& first_offset,
            std::atomic<core::Offset>& audit_first_offset,
            std::function<core::Offset()> durable_offset);
  ~Retention();  // Stop()s
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // Any thread. `events` keeps every offset >= floor. 1 (the default) keeps
  // everything: with full replay from offset 1 as recovery, nothing may go.
  void SetFloor(core::Offset floor);
  core::Offset floor() const { return floor_.load(); }

  // Applies both horizons for `now_ms`. Errors are RocksDB failures; a run
  // that failed may be retried.
  absl::StatusOr<RetentionRun> RunOnce(core::TimestampMs now_ms);

  // Runs RunOnce(clock.NowMs()) every interval_ms on a thread of its own,
  // reporting failures on stderr. `clock` must outlive Stop().
  void Start(const core::Clock& clock);
  void Stop();  // idempotent

 private:
  absl::StatusOr<std::uint64_t> DropEvents(core::TimestampMs now_ms);
  absl::StatusOr<std::uint64_t> DropAudit(core::TimestampMs now_ms);
  absl::StatusOr<core::TimestampMs> EventTimestamp(core::Offset offset) const;

  Db& db_;
  const RetentionOptions options_;
  std::atomic<core::Offset>& first_offset_;
  std::atomic<core::Offset>& audit_first_offset_;
  const std::function<core::Offset()> durable_offset_;
  std::atomic<core::Offset> floor_{1};

  absl::Mutex run_mu_;  // one RunOnce at a time

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace logbook::storage
