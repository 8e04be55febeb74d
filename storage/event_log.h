#pragma once
// The durable event log on RocksDB (ARCHITECTURE.md §3, §4).
//
// Thread: Open/Replay/Start/Append/last_offset on the loop thread (Replay
// before Start). RocksDB is written only by the writer thread this object
// owns (group commit: it drains every pending append into one WriteBatch,
// writes it with the sync policy, then calls the DurabilityCallback). After a
// failed write every later Append fails with that status: we cannot know
// what reached the disk (docs/durability.md). Read() is safe from any thread.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/audit_journal.h"
#include "core/clock.h"
#include "core/event_journal.h"
#include "storage/retention.h"

namespace logbook::storage {

class Db;

enum class SyncPolicy { kAlways, kNone };

// Called on the writer thread after each successful group commit: how many
// events it wrote and how long the write (with its sync, if any) took. For
// metrics; it must be quick and must not block.
using CommitObserver = std::function<void(std::uint64_t events, std::int64_t write_ns)>;

struct EventLogOptions {
  std::string data_dir;
  SyncPolicy sync = SyncPolicy::kAlways;
  // Used when the data dir has no node id yet, or to override it; empty =
  // keep the stored one or generate one.
  std::string node_id;
  // Horizons and period of retention (storage/retention.h); the thread runs
  // only after StartRetention().
  RetentionOptions retention;
  // While the disk is full, how often the writer probes for space again.
  std::int64_t disk_full_probe_ms = 250;
  CommitObserver on_commit;  // optional
};

// Called on the writer thread after each batch: the highest durable offset,
// or the error (then the offset is the last durable one). ResourceExhausted
// means the disk is full: the events after `durable` were dropped, Append
// fails until the owner calls AllowResume() and a probe write succeeds, which
// is announced by one more call with OK. Any other error is final.
using DurabilityCallback = std::function<void(core::Offset durable, absl::Status status)>;

struct EventLogStats {
  std::uint64_t batches = 0;
  std::uint64_t events_written = 0;
  std::uint64_t syncs = 0;
  // Writes refused for lack of space, the events they dropped (never
  // acknowledged), and the times a probe found space again.
  std::uint64_t disk_full_failures = 0;
  std::uint64_t events_dropped = 0;
  std::uint64_t disk_full_recoveries = 0;
};

class EventLog final : public core::EventJournal {
 public:
  // Creates the data dir if missing and locks it. A second process on the
  // same dir gets FailedPrecondition naming the dir.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(const EventLogOptions& options,
                                                        DurabilityCallback on_durable);
  ~EventLog() override;  // Stop()s if needed

  // Decodes every event from `from` to the end, in order. DataLoss (never a
  // silent skip) on any damaged record or a gap in the offsets.
  absl::Status Replay(core::Offset from, const std::function<void(const core::Event&)>& apply);

  void Start();  // starts the writer thread
  // From now on Append() does not wake the writer: the caller calls
  // WakeWriter() once it has appended what it has (an event loop: at the end
  // of each turn), so one wakeup carries a turn's appends. Before Start().
  void DeferWriterWakeups();
  // Hands what was appended since the last call to the writer. Cheap when
  // nothing was: the loop calls it on every turn.
  void WakeWriter();
  // After a disk-full failure, once the caller's state no longer shows the
  // dropped events: lets the writer probe for space and resume.
  void AllowResume();
  // Stops retention, writes everything pending, joins the writer. Idempotent.
  void Stop();

  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override;
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor& cursor) override;
  // Any thread. The peer cursors stored when the log was opened (by peer
  // node id): where replication resumes.
  const std::map<std::string, core::PeerCursor>& initial_peer_cursors() const;
  core::Offset last_offset() const override;
  absl::Status Read(core::Offset from, std::size_t max_events,
                    std::vector<core::Event>* out) const override;
  absl::Status ReadRaw(
      core::Offset from, std::size_t max_events,
      const std::function<bool(core::Offset, std::string_view)>& visit) const override;
  core::Offset first_offset() const override;

  // Any thread.
  core::Offset durable_offset() const;
  const std::string& node_id() const;
  const std::string& log_identity() const;  // random, created with the data dir
  EventLogStats stats() const;
  // The database under the log, for the other column families (snapshots).
  // Valid for the EventLog's life.
  Db& db() const;

  // Any thread. The audit history of this log (storage/audit_index.h).
  const core::AuditJournal& audit() const;
  // Any thread. Oldest offset retained in the audit log.
  core::Offset audit_first_offset() const;

  // Any thread. Retention never drops an event at or above `floor` (the
  // oldest offset recovery needs). 1, the default, keeps everything.
  void SetRetentionFloor(core::Offset floor);
  // Any thread. One retention pass now (tests; the thread calls it too).
  absl::StatusOr<RetentionRun> RunRetention(core::TimestampMs now_ms);
  // Runs retention every options.retention.interval_ms until Stop().
  // `clock` must outlive Stop().
  void StartRetention(const core::Clock& clock);

 private:
  struct Impl;
  explicit EventLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace logbook::storage
