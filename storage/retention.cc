#include "storage/retention.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/audit_index.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {

Retention::Retention(Db& db, RetentionOptions options, std::atomic<core::Offset>& first_offset,
                     std::atomic<core::Offset>& audit_first_offset,
                     std::function<core::Offset()> durable_offset)
    : db_(db),
      options_(options),
      first_offset_(first_offset),
      audit_first_offset_(audit_first_offset),
      durable_offset_(std::move(durable_offset)) {}

Retention::~Retention() { Stop(); }

void Retention::SetFloor(core::Offset floor) { floor_.store(std::max<core::Offset>(floor, 1)); }

absl::StatusOr<RetentionRun> Retention::RunOnce(core::TimestampMs now_ms) {
  absl::MutexLock lock(&run_mu_);
  RetentionRun run;
  ASSIGN_OR_RETURN(run.events_dropped, DropEvents(now_ms));
  ASSIGN_OR_RETURN(run.audit_dropped, DropAudit(now_ms));
  run.first_offset = first_offset_.load();
  run.audit_first_offset = audit_first_offset_.load();
  return run;
}

absl::StatusOr<core::TimestampMs> Retention::EventTimestamp(core::Offset offset) const {
  std::string value;
  RETURN_IF_ERROR(FromRocksDb(
      db_.raw()->Get(rocksdb::ReadOptions(), db_.events(), EventKey(offset), &value),
      {.operation = "Get", .column_family = kEventsColumnFamily, .offset = offset}));
  ASSIGN_OR_RETURN(const core::Event event, DecodeEvent(value, offset));
  return event.timestamp_ms;
}

absl::StatusOr<std::uint64_t> Retention::DropEvents(core::TimestampMs now_ms) {
  const core::Offset durable = durable_offset_();
  const core::Offset first = first_offset_.load();
  if (durable <= first) return 0;  // keep at least the last durable event
  const core::TimestampMs horizon_ms = now_ms - options_.renew_retention_ms;
  // Binary search for the first offset at or after the horizon in
  // [first, durable]: O(log n) point reads, no scan. Timestamps are the
  // node's clock in offset order; a step back only delays dropping.
  core::Offset low = first;
  core::Offset high = durable;  // the answer is at most `durable` (kept anyway)
  while (low < high) {
    const core::Offset mid = low + (high - low) / 2;
    ASSIGN_OR_RETURN(const core::TimestampMs timestamp_ms, EventTimestamp(mid));
    if (timestamp_ms < horizon_ms) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  const core::Offset new_first = std::min(low, floor_.load());
  if (new_first <= first) return 0;

  // Readers check the floor before reading: raise it first, then delete.
  first_offset_.store(new_first);
  rocksdb::WriteBatch batch;
  const std::string begin_key = EventKey(first);
  const std::string end_key = EventKey(new_first);
  RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(db_.events(), begin_key, end_key),
                              {.operation = "WriteBatch::DeleteRange",
                               .column_family = kEventsColumnFamily,
                               .offset = first,
                               .last_offset = new_first - 1}));
  RETURN_IF_ERROR(FromRocksDb(batch.Put(db_.meta(), std::string(kMetaFirstOffsetKey), end_key),
                              {.operation = "WriteBatch::Put", .column_family = kMetaColumnFamily}));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  RETURN_IF_ERROR(FromRocksDb(db_.raw()->Write(write_options, &batch),
                              {.operation = "Write",
                               .column_family = kEventsColumnFamily,
                               .offset = first,
                               .last_offset = new_first - 1}));
  // Reclaims the space now rather than when compaction reaches those files.
  const rocksdb::Slice compact_end(end_key);
  RETURN_IF_ERROR(FromRocksDb(
      db_.raw()->CompactRange(rocksdb::CompactRangeOptions(), db_.events(), nullptr, &compact_end),
      {.operation = "CompactRange", .column_family = kEventsColumnFamily}));
  return new_first - first;
}

absl::StatusOr<std::uint64_t> Retention::DropAudit(core::TimestampMs now_ms) {
  const core::Offset durable = durable_offset_();
  const core::Offset first = audit_first_offset_.load();
  const core::TimestampMs horizon_ms = now_ms - options_.audit_retention_ms;
  // The t| index gives the first audited event at or after the horizon.
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.audit_index()));
  it->Seek(AuditTimeKey(horizon_ms, 0));
  RETURN_IF_ERROR(FromRocksDb(it->status(),
                              {.operation = "Seek", .column_family = kAuditIndexColumnFamily}));
  core::Offset new_first = durable + 1;  // nothing audited after the horizon
  std::string time_end = "t}";           // '}' follows '|': past every t| key
  if (it->Valid() && it->key().starts_with("t|")) {
    const rocksdb::Slice key = it->key();
    core::Offset offset = 0;
    for (std::size_t i = key.size() - 8; i < key.size(); ++i) {
      offset = (offset << 8) | static_cast<unsigned char>(key[i]);
    }
    new_first = std::min(offset, new_first);
    time_end = key.ToString();
  }
  it.reset();
  if (new_first <= first) return 0;

  audit_first_offset_.store(new_first);
  db_.SetAuditIndexFloor(new_first);
  rocksdb::WriteBatch batch;
  const std::string begin_key = EventKey(first);
  const std::string end_key = EventKey(new_first);
  RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(db_.audit(), begin_key, end_key),
                              {.operation = "WriteBatch::DeleteRange",
                               .column_family = kAuditColumnFamily,
                               .offset = first,
                               .last_offset = new_first - 1}));
  RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(db_.audit_index(), "t|", time_end),
                              {.operation = "WriteBatch::DeleteRange",
                               .column_family = kAuditIndexColumnFamily}));
  RETURN_IF_ERROR(
      FromRocksDb(batch.Put(db_.meta(), std::string(kMetaAuditFirstOffsetKey), end_key),
                  {.operation = "WriteBatch::Put", .column_family = kMetaColumnFamily}));
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  RETURN_IF_ERROR(FromRocksDb(db_.raw()->Write(write_options, &batch),
                              {.operation = "Write", .column_family = kAuditColumnFamily}));
  const rocksdb::Slice compact_end(end_key);
  RETURN_IF_ERROR(FromRocksDb(
      db_.raw()->CompactRange(rocksdb::CompactRangeOptions(), db_.audit(), nullptr, &compact_end),
      {.operation = "CompactRange", .column_family = kAuditColumnFamily}));
  const rocksdb::Slice time_end_slice(time_end);
  const rocksdb::Slice time_begin("t|");
  RETURN_IF_ERROR(FromRocksDb(db_.raw()->CompactRange(rocksdb::CompactRangeOptions(),
                                                      db_.audit_index(), &time_begin,
                                                      &time_end_slice),
                              {.operation = "CompactRange",
                               .column_family = kAuditIndexColumnFamily}));
  return new_first - first;
}

void Retention::Start(const core::Clock& clock) {
  thread_ = std::thread([this, &clock] {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(options_.interval_ms));
        if (stopping_) return;
      }
      absl::StatusOr<RetentionRun> run = RunOnce(clock.NowMs());
      if (run.ok()) continue;
      if (options_.on_error) {
        options_.on_error(run.status());
      } else {
        std::fprintf(stderr, "log retention failed: %s\n",
                     std::string(core::MessageOf(run.status())).c_str());
      }
    }
  });
}

void Retention::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace logbook::storage
