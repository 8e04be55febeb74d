#include "storage/group_commit_writer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {

GroupCommitWriter::GroupCommitWriter(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events,
                                     SyncPolicy sync, core::Offset durable_offset,
                                     DurabilityCallback on_durable, AuditFamilies audit,
                                     std::int64_t disk_full_probe_ms, CommitObserver on_commit,
                                     rocksdb::ColumnFamilyHandle* meta)
    : db_(db),
      events_(events),
      audit_(audit),
      meta_(meta),
      sync_(sync),
      on_durable_(std::move(on_durable)),
      disk_full_probe_ms_(disk_full_probe_ms),
      on_commit_(std::move(on_commit)),
      durable_offset_(durable_offset),
      last_submitted_(durable_offset) {}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Start() {
  absl::MutexLock lock(&mu_);
  LOGBOOK_CHECK(!started_);
  started_ = true;
  thread_ = std::thread(&GroupCommitWriter::Run, this);
}

void GroupCommitWriter::Stop() {
  bool start_thread = false;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    // Never started: run the thread once anyway so batches submitted before
    // Stop() are written, as Stop() promises.
    if (!started_) {
      started_ = true;
      start_thread = true;
    }
  }
  if (start_thread) thread_ = std::thread(&GroupCommitWriter::Run, this);
  if (thread_.joinable()) thread_.join();
}

namespace {

// Enough to cover the batches between the loop and the writer for 64
// connections with room to spare; beyond it written batches are freed.
constexpr std::size_t kMaxSpareBatches = 256;
// A batch holding more than this (a peer's pulled page, a huge registration)
// is freed rather than kept: spares are for the small batches of requests.
constexpr std::size_t kMaxSpareBatchBytes = std::size_t{16} << 10;

std::size_t HeldBytes(const EncodedBatch& batch) {
  std::size_t bytes = 0;
  for (const std::string& value : batch.values) bytes += value.capacity();
  for (const EncodedBatch::Audited& audited : batch.audited) {
    for (const std::string& key : audited.index_keys) bytes += key.capacity();
  }
  return bytes;
}

}  // namespace

absl::Status GroupCommitWriter::Submit(EncodedBatch batch, EncodedBatch* spare) {
  absl::MutexLock lock(&mu_);
  if (spare != nullptr && !spare_batches_.empty()) {
    *spare = std::move(spare_batches_.back());
    spare_batches_.pop_back();
  }
  if (!latched_.ok()) return latched_;
  if (!disk_full_.ok()) return disk_full_;
  if (stopping_) return absl::FailedPreconditionError("event log writer is stopped");
  if (batch.values.empty() && batch.meta_puts.empty()) return absl::OkStatus();
  LOGBOOK_CHECK(batch.meta_puts.empty() || meta_ != nullptr);
  if (!defer_wakeups_) handed_over_ = true;
  if (batch.values.empty()) {
    batch.first_offset = last_submitted_ + 1;
    pending_.push_back(std::move(batch));
    return absl::OkStatus();
  }
  // Offsets are assigned by one thread in order; a gap here is a bug that
  // would otherwise surface as "missing offset" on the next replay.
  LOGBOOK_CHECK(batch.first_offset == last_submitted_ + 1);
  last_submitted_ += batch.values.size();
  pending_.push_back(std::move(batch));
  return absl::OkStatus();
}

void GroupCommitWriter::DeferWakeups() {
  absl::MutexLock lock(&mu_);
  defer_wakeups_ = true;
}

void GroupCommitWriter::WakeUp() {
  absl::MutexLock lock(&mu_);
  if (!pending_.empty()) handed_over_ = true;
}

core::Offset GroupCommitWriter::last_submitted() const {
  absl::MutexLock lock(&mu_);
  return last_submitted_;
}

void GroupCommitWriter::AllowResume() {
  absl::MutexLock lock(&mu_);
  if (!disk_full_.ok()) resume_allowed_ = true;
}

absl::Status GroupCommitWriter::status() const {
  absl::MutexLock lock(&mu_);
  return latched_;
}

EventLogStats GroupCommitWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GroupCommitWriter::Run() {
  // Swapped with pending_ each round, so both vectors keep their capacity
  // and the loop's Submit() does not reallocate pending_ after every commit.
  std::vector<EncodedBatch> batches;
  for (;;) {
    core::Offset last_offset = core::kNoOffset;
    {
      absl::MutexLock lock(&mu_, absl::Condition(this, &GroupCommitWriter::HasWorkOrStopping));
      if (pending_.empty()) return;  // stopping, and everything is written
      batches.swap(pending_);
      handed_over_ = false;
      last_offset = last_submitted_;
    }
    std::uint64_t event_count = 0;
    for (const EncodedBatch& batch : batches) event_count += batch.values.size();

    const auto started = std::chrono::steady_clock::now();
    const absl::Status status = Commit(batches, last_offset);
    const bool disk_full = absl::IsResourceExhausted(status);
    if (status.ok() && on_commit_) {
      on_commit_(event_count, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count());
    }
    {
      absl::MutexLock lock(&mu_);
      // What this round wrote serves Submit() again.
      for (EncodedBatch& written : batches) {
        if (spare_batches_.size() >= kMaxSpareBatches) break;
        if (HeldBytes(written) > kMaxSpareBatchBytes) continue;
        spare_batches_.push_back(std::move(written));
      }
      batches.clear();
      if (status.ok()) {
        ++stats_.batches;
        stats_.events_written += event_count;
        if (sync_ == SyncPolicy::kAlways) ++stats_.syncs;
      } else if (disk_full) {
        // RocksDB wrote nothing of a batch whose WAL append failed (the
        // memtable is only written after the WAL), and DB::Resume() flushes
        // and drops that WAL before anything else is written. So the durable
        // offset is the truth: drop what is pending and continue from there.
        ++stats_.disk_full_failures;
        stats_.events_dropped += event_count;
        for (const EncodedBatch& batch : pending_) stats_.events_dropped += batch.values.size();
        disk_full_ = status;
        resume_allowed_ = false;
        pending_.clear();
        last_submitted_ = durable_offset();
      } else {
        // Fail-stop: we cannot know which part of the batch reached the disk,
        // so nothing later may be written or acknowledged.
        latched_ = status;
        pending_.clear();
      }
    }
    if (status.ok()) durable_offset_.store(last_offset, std::memory_order_release);
    on_durable_(durable_offset(), status);
    if (disk_full) {
      if (!ProbeUntilWritable()) return;
      continue;
    }
    if (!status.ok()) return;
  }
}

bool GroupCommitWriter::ProbeUntilWritable() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(disk_full_probe_ms_));
      // Nothing is pending while the disk is full (Submit refuses), so
      // stopping has nothing left to write.
      if (stopping_) return false;
      if (!resume_allowed_) continue;
    }
    absl::Status probe = Probe();
    // No space yet, or Busy: a recovery RocksDB started by itself is under
    // way. Either way, look again next round.
    if (!probe.ok() && (absl::IsResourceExhausted(probe) || absl::IsUnavailable(probe))) continue;
    {
      absl::MutexLock lock(&mu_);
      if (probe.ok()) {
        ++stats_.disk_full_recoveries;
        disk_full_ = absl::OkStatus();
        resume_allowed_ = false;
      } else {
        latched_ = probe;
      }
    }
    on_durable_(durable_offset(), probe);
    return probe.ok();
  }
}

absl::Status GroupCommitWriter::Probe() {
  RETURN_IF_ERROR(FromRocksDb(db_->Resume(), {.operation = "Resume"}));
  rocksdb::WriteOptions options;
  options.sync = true;
  // The default column family holds nothing else; the key is overwritten by
  // every probe, so probes cost no space over time.
  return FromRocksDb(db_->Put(options, db_->DefaultColumnFamily(), "disk-probe", "1"),
                     {.operation = "Put (disk probe)", .column_family = "default"});
}

absl::Status GroupCommitWriter::Commit(const std::vector<EncodedBatch>& batches,
                                       core::Offset last_offset) {
  const core::Offset first_offset = batches.front().first_offset;
  index_puts_.clear();
  // Sized up front: grown by doubling, the batch's buffer would copy every
  // value it already holds several times over (registrations are ~1 KB each,
  // twice: the event and its audit copy).
  constexpr std::size_t kRecordOverhead = 24;  // tag, column family, lengths, key
  std::size_t reserved = 0;
  for (const EncodedBatch& batch : batches) {
    for (const std::string& value : batch.values) reserved += value.size() + kRecordOverhead;
    for (const auto& [key, value] : batch.meta_puts) {
      reserved += key.size() + value.size() + kRecordOverhead;
    }
    for (const EncodedBatch::Audited& audited : batch.audited) {
      reserved += batch.values[audited.index].size() + kRecordOverhead;
      for (const std::string& key : audited.index_keys) reserved += key.size() + kRecordOverhead;
    }
  }
  rocksdb::WriteBatch write_batch(reserved);
  for (const EncodedBatch& batch : batches) {
    core::Offset offset = batch.first_offset;
    for (const std::string& value : batch.values) {
      RETURN_IF_ERROR(FromRocksDb(write_batch.Put(events_, EventKey(offset), value),
                                  {.operation = "WriteBatch::Put",
                                   .column_family = kEventsColumnFamily,
                                   .offset = offset}));
      ++offset;
    }
    for (const auto& [key, value] : batch.meta_puts) {
      RETURN_IF_ERROR(FromRocksDb(write_batch.Put(meta_, key, value),
                                  {.operation = "WriteBatch::Put",
                                   .column_family = kMetaColumnFamily,
                                   .offset = batch.first_offset}));
    }
    if (audit_.audit == nullptr) continue;
    for (const EncodedBatch::Audited& audited : batch.audited) {
      const core::Offset audited_offset = batch.first_offset + audited.index;
      RETURN_IF_ERROR(FromRocksDb(
          write_batch.Put(audit_.audit, EventKey(audited_offset), batch.values[audited.index]),
          {.operation = "WriteBatch::Put",
           .column_family = kAuditColumnFamily,
           .offset = audited_offset}));
      for (const std::string& key : audited.index_keys) {
        index_puts_.push_back(IndexPut{key, audited_offset});
      }
    }
  }
  // In key order: the memtable inserts each key starting from where the
  // previous one went, so sorted index keys are found in a few steps (all the
  // time keys of a commit are neighbours, and so are an app's keys), where the
  // events' order would cost a search from the top of the skiplist for nearly
  // every key, the largest part of a commit of registrations. Distinct keys:
  // their order inside one WriteBatch changes nothing else.
  std::sort(index_puts_.begin(), index_puts_.end(),
            [](const IndexPut& a, const IndexPut& b) { return a.key < b.key; });
  for (const IndexPut& put : index_puts_) {
    RETURN_IF_ERROR(FromRocksDb(
        write_batch.Put(audit_.audit_index, rocksdb::Slice(put.key.data(), put.key.size()),
                        rocksdb::Slice()),
        {.operation = "WriteBatch::Put",
         .column_family = kAuditIndexColumnFamily,
         .offset = put.offset}));
  }
  rocksdb::WriteOptions options;
  // kNone still writes the WAL (disableWAL stays false): the OS has every
  // acknowledged event, so only a machine crash can lose the tail.
  options.sync = sync_ == SyncPolicy::kAlways;
  options.disableWAL = false;
  return FromRocksDb(db_->Write(options, &write_batch), {.operation = "Write",
                                                         .column_family = kEventsColumnFamily,
                                                         .offset = first_offset,
                                                         .last_offset = last_offset});
}

}  // namespace logbook::storage
