#pragma once
// The audit history (ARCHITECTURE.md §3, docs/log-format.md "audit"): every
// non-RENEW event is written again to the `audit` column family and indexed
// in `audit_index` by the group commit writer, in the same WriteBatch as the
// event, so the index and the log never disagree. Queries seek the index;
// they never scan the log.
//
// Thread: History() from any thread (libuv's thread pool); it only reads.
#include <atomic>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/audit_journal.h"
#include "core/event.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace logbook::storage {

class Db;

// Where the audit column families live: a node's Db, or a LogReader's
// read-only view of a data dir (`logbook log history`).
struct AuditSource {
  rocksdb::DB* db = nullptr;
  rocksdb::ColumnFamilyHandle* audit = nullptr;
  rocksdb::ColumnFamilyHandle* audit_index = nullptr;
  std::string data_dir;
  // Read under a RocksDB snapshot (a live node, where retention deletes
  // meanwhile). A read-only or secondary view never changes, and secondary
  // mode has no snapshots.
  bool use_snapshot = true;
};

// Whether `type` goes to the audit log: every type but RENEW.
bool IsAudited(core::EventType type);

// Index keys (docs/log-format.md): i|APP\0ID\0<offset>, a|APP\0<offset>,
// t|<timestamp><offset>; offsets 8 bytes big-endian, the timestamp 8 bytes
// big-endian with the sign bit flipped (so negative times sort first).
std::string AuditInstanceKey(std::string_view app, std::string_view instance_id,
                             core::Offset offset);
std::string AuditAppKey(std::string_view app, core::Offset offset);
std::string AuditTimeKey(core::TimestampMs timestamp_ms, core::Offset offset);
// Every index key of `event` (at event.offset): the time key, plus the app
// and instance keys when the event names an app (RENEWAL_THRESHOLD_UPDATE
// names none).
std::vector<std::string> AuditIndexKeys(const core::Event& event);
// AuditIndexKeys() into `*keys` (replacing what it held), reusing its
// strings' buffers.
void AuditIndexKeysInto(const core::Event& event, std::vector<std::string>* keys);

class AuditIndex final : public core::AuditJournal {
 public:
  // `db` and `first_offset` (the oldest offset retention keeps in `audit`)
  // must outlive this object.
  AuditIndex(const Db& db, const std::atomic<core::Offset>& first_offset);
  AuditIndex(AuditSource source, const std::atomic<core::Offset>& first_offset)
      : source_(std::move(source)), first_offset_(first_offset) {}

  // InvalidArgument for an instance without an app or a zero limit;
  // DataLoss for a damaged audit record or an index entry without one.
  absl::StatusOr<core::AuditPage> History(const core::AuditQuery& query) const override;

 private:
  const AuditSource source_;
  const std::atomic<core::Offset>& first_offset_;
};

}  // namespace logbook::storage
