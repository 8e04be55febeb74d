#include "storage/group_commit_writer.h"

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
                                     rocksdb::ColumnFamilyHandle* meta)
    : db_(db),
      events_(events),
      audit_(audit),
      meta_(meta),
      sync_(sync),
      on_durable_(std::move(on_durable)),
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

absl::Status GroupCommitWriter::Submit(EncodedBatch batch) {
  absl::MutexLock lock(&mu_);
  if (!latched_.ok()) return latched_;
  if (stopping_) return absl::FailedPreconditionError("event log writer is stopped");
  if (batch.values.empty() && batch.meta_puts.empty()) return absl::OkStatus();
  LOGBOOK_CHECK(batch.meta_puts.empty() || meta_ != nullptr);
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

absl::Status GroupCommitWriter::status() const {
  absl::MutexLock lock(&mu_);
  return latched_;
}

EventLogStats GroupCommitWriter::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void GroupCommitWriter::Run() {
  for (;;) {
    std::vector<EncodedBatch> batches;
    core::Offset last_offset = core::kNoOffset;
    {
      absl::MutexLock lock(&mu_, absl::Condition(this, &GroupCommitWriter::HasWorkOrStopping));
      if (pending_.empty()) return;  // stopping, and everything is written
      batches.swap(pending_);
      last_offset = last_submitted_;
    }
    std::uint64_t event_count = 0;
    for (const EncodedBatch& batch : batches) event_count += batch.values.size();

    const absl::Status status = Commit(batches, last_offset);
    {
      absl::MutexLock lock(&mu_);
      if (status.ok()) {
        ++stats_.batches;
        stats_.events_written += event_count;
        if (sync_ == SyncPolicy::kAlways) ++stats_.syncs;
      } else {
        // Fail-stop: we cannot know which part of the batch reached the disk,
        // so nothing later may be written or acknowledged.
        latched_ = status;
        pending_.clear();
      }
    }
    if (status.ok()) durable_offset_.store(last_offset, std::memory_order_release);
    on_durable_(durable_offset(), status);
    if (!status.ok()) return;
  }
}

absl::Status GroupCommitWriter::Commit(const std::vector<EncodedBatch>& batches,
                                       core::Offset last_offset) {
  const core::Offset first_offset = batches.front().first_offset;
  rocksdb::WriteBatch write_batch;
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
        RETURN_IF_ERROR(FromRocksDb(write_batch.Put(audit_.audit_index, key, rocksdb::Slice()),
                                    {.operation = "WriteBatch::Put",
                                     .column_family = kAuditIndexColumnFamily,
                                     .offset = audited_offset}));
      }
    }
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
