#pragma once
// RAII owner of the RocksDB instance of one data dir and its column families
// (docs/log-format.md, "Column families"). Opening creates the dir, the
// column families and, on a fresh dir, the storage format version and the
// log identity. Closing happens in the destructor.
//
// Thread: rocksdb::DB is thread-safe; Db adds no state after Open, so every
// method may be called from any thread. The handles stay valid for Db's life.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/ids.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace logbook::storage {

class AuditIndexFilter;

inline constexpr std::string_view kEventsColumnFamily = "events";
inline constexpr std::string_view kMetaColumnFamily = "meta";
inline constexpr std::string_view kSnapshotsColumnFamily = "snapshots";
// Every non-RENEW event again (key: offset, value: the same encoded event),
// kept for logbook.log.audit-retention; and its index (storage/audit_index.h).
inline constexpr std::string_view kAuditColumnFamily = "audit";
inline constexpr std::string_view kAuditIndexColumnFamily = "audit_index";

// Keys of the `meta` column family.
inline constexpr std::string_view kMetaFormatVersionKey = "format_version";
inline constexpr std::string_view kMetaLogIdentityKey = "log_identity";
inline constexpr std::string_view kMetaNodeIdKey = "node_id";
// Oldest offset retained in `events` / in `audit` (storage/retention.h),
// 8 bytes big-endian; absent = 1.
inline constexpr std::string_view kMetaFirstOffsetKey = "first_offset";
inline constexpr std::string_view kMetaAuditFirstOffsetKey = "audit_first_offset";

// Bound on the live RocksDB WAL (max_total_wal_size): once the WAL files
// hold more, the memtables with data in the oldest one are flushed and it is
// deleted. It is also what a crash leaves for the next open to replay, at
// ~8 ms of CPU per MiB (docs/durability.md, "Restart after a crash").
inline constexpr std::uint64_t kMaxWalBytes = std::uint64_t{16} << 20;

// Version of the data dir's layout (column families, keys, meta entries);
// event values carry their own version byte (kEventFormatVersion).
inline constexpr int kStorageFormatVersion = 1;

class Db {
 public:
  // Creates `data_dir` (and its parents) if missing. Errors:
  // FailedPrecondition "data dir X is locked by another logbook process" when
  // the dir is open elsewhere; a clear error naming the dir when it cannot be
  // created or written; FailedPrecondition for a newer storage format; DataLoss
  // for a half-initialized `meta`.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& data_dir);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* raw() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events() const { return events_; }
  rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
  rocksdb::ColumnFamilyHandle* snapshots() const { return snapshots_; }
  rocksdb::ColumnFamilyHandle* audit() const { return audit_; }
  rocksdb::ColumnFamilyHandle* audit_index() const { return audit_index_; }

  // Any thread. From now on, compactions of `audit_index` drop the
  // instance/app entries (i|, a|) of offsets below `offset`: they point at
  // audit events retention already removed (docs/log-format.md).
  void SetAuditIndexFloor(core::Offset offset);

  const std::string& data_dir() const { return data_dir_; }
  // 32 lowercase hex digits (128 random bits), created with the data dir.
  const std::string& log_identity() const { return log_identity_; }

  // nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const;
  // Synced: meta entries must survive a crash right after they are set.
  absl::Status PutMeta(std::string_view key, std::string_view value);

 private:
  explicit Db(std::string data_dir);
  // Reads or, on a fresh dir, writes the format version and log identity.
  absl::Status InitMeta();

  std::string data_dir_;
  std::unique_ptr<rocksdb::DB> db_;
  // Every column family the DB has, including ones a newer build added:
  // RocksDB refuses to open a DB without all of them.
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* snapshots_ = nullptr;
  rocksdb::ColumnFamilyHandle* audit_ = nullptr;
  rocksdb::ColumnFamilyHandle* audit_index_ = nullptr;
  std::string log_identity_;
  // Shared with the compaction filter RocksDB holds (it may outlive nothing
  // of ours, but a shared_ptr makes that obvious).
  std::shared_ptr<AuditIndexFilter> audit_index_filter_;
};

// 128 random bits as 32 lowercase hex digits.
std::string NewLogIdentity();

}  // namespace logbook::storage
