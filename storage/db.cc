#include "storage/db.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/rocksdb_info_log.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

// After a no-space error RocksDB's SstFileManager would resume the DB by
// itself, but only once the free space exceeds the largest write buffer
// (64 MiB by default), and while it waits every manual DB::Resume() answers
// Busy: on a small or nearly full disk writes would never come back. The
// group commit writer probes with DB::Resume() itself (docs/durability.md,
// "Disk full"), so the automatic recovery is turned off.
class ManualNoSpaceRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                            rocksdb::Status /*bg_error*/, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// Makes sure `data_dir` is a directory we can write before RocksDB tries, so
// the operator reads "cannot create data dir X: Permission denied" rather
// than a RocksDB-internal file name.
absl::Status PrepareDir(const std::string& data_dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::file_status status = fs::status(data_dir, error);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      return absl::FailedPreconditionError(
          absl::StrCat("data dir ", data_dir, " exists and is not a directory"));
    }
  } else if (!fs::create_directories(data_dir, error) && error) {
    const auto code = error == std::errc::permission_denied ? absl::StatusCode::kPermissionDenied
                                                            : absl::StatusCode::kFailedPrecondition;
    return absl::Status(code,
                        absl::StrCat("cannot create data dir ", data_dir, ": ", error.message()));
  }
  if (::access(data_dir.c_str(), W_OK | X_OK) != 0) {
    const int saved_errno = errno;
    return absl::PermissionDeniedError(
        absl::StrCat("data dir ", data_dir, " is not writable: ", std::strerror(saved_errno)));
  }
  return absl::OkStatus();
}

}  // namespace

// Drops `audit_index` instance and app entries (i|..., a|...) whose offset,
// their last 8 bytes big-endian, is below the audit floor. Time entries (t|)
// are removed by retention's DeleteRange instead (docs/log-format.md).
class AuditIndexFilter final : public rocksdb::CompactionFilter {
 public:
  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    if (key.size() < 10 || (key[0] != 'i' && key[0] != 'a') || key[1] != '|') return false;
    core::Offset offset = 0;
    for (std::size_t i = key.size() - 8; i < key.size(); ++i) {
      offset = (offset << 8) | static_cast<unsigned char>(key[i]);
    }
    return offset < floor_.load(std::memory_order_relaxed);
  }
  const char* Name() const override { return "logbook.AuditIndexFilter"; }
  void set_floor(core::Offset offset) { floor_.store(offset, std::memory_order_relaxed); }

 private:
  std::atomic<core::Offset> floor_{1};
};

void Db::SetAuditIndexFloor(core::Offset offset) { audit_index_filter_->set_floor(offset); }

std::string NewLogIdentity() {
  // absl::BitGen is seeded from the OS entropy source: two data dirs created
  // at the same moment on two machines still get different identities.
  absl::BitGen gen;
  return absl::StrFormat("%016x%016x", absl::Uniform<std::uint64_t>(gen),
                         absl::Uniform<std::uint64_t>(gen));
}

Db::Db(std::string data_dir) : data_dir_(std::move(data_dir)) {}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& data_dir) {
  if (data_dir.empty()) return absl::InvalidArgumentError("data dir is empty");
  if (absl::Status prepared = PrepareDir(data_dir); !prepared.ok()) return prepared;

  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // A WAL file is deleted only once every column family with data in it has
  // flushed. `meta` and `audit` take a few small writes and would otherwise
  // pin every WAL since their last flush (RocksDB's default bound is 4x the
  // sum of all write buffers, ~1.5 GiB here): disk use under a steady renew
  // load must level off (docs/log-format.md, "Retention"). The bound is also
  // the WAL a crash leaves to replay: at 64 MiB that was half a second of CPU
  // of every restart after kill -9 with 100,000 instances.
  options.max_total_wal_size = kMaxWalBytes;
  // RocksDB preallocates each WAL file min(1.1 x write buffer,
  // max_total_wal_size): 16 MiB reserved before the first write. Appends then
  // land in reserved space, so on a nearly full disk the disk-full path
  // (docs/durability.md) would see no failed append until a flush or the next
  // WAL needs room, and on a small volume the reservation is most of it. Off,
  // a WAL grows as it is written (as it did when the 64 MiB preallocation
  // could not fit such a volume). fdatasync covers the size and the blocks
  // either way; durable renew and register CPU did not change (measured).
  options.allow_fallocate = false;
  // A restart after a crash replays the live WAL into the memtables; by
  // default the open then flushes them to level-0 files before it returns,
  // on the thread that opens. Kept in the memtables instead, the records stay
  // in their WAL files until the next flush deletes them (RocksDB keeps a
  // recovered WAL while any memtable still holds its data), so a second crash
  // replays them again: nothing durable depends on that flush. The WAL bound
  // above still applies: it is checked at the first writes.
  options.avoid_flush_during_recovery = true;
  // Two reads of every table file at open that recovery does not need: the
  // table properties (compaction statistics only) and the file sizes. A
  // truncated or damaged table file is still refused at open: with
  // max_open_files = -1 (the default) the open reads each file's footer,
  // which names the file (tests/e2e/corruption_test.cc).
  options.skip_stats_update_on_db_open = true;
  options.skip_checking_sst_file_sizes_on_db_open = true;
  options.listeners.push_back(std::make_shared<ManualNoSpaceRecovery>());
  // Our own LOG writer (bounded to LOG + LOG.old), which survives a full disk.
  absl::StatusOr<std::shared_ptr<RocksDbInfoLog>> info_log = RocksDbInfoLog::Open(data_dir);
  if (!info_log.ok()) return info_log.status();
  options.info_log = *std::move(info_log);

  std::vector<std::string> names = {
      rocksdb::kDefaultColumnFamilyName, std::string(kEventsColumnFamily),
      std::string(kMetaColumnFamily), std::string(kSnapshotsColumnFamily),
      std::string(kAuditColumnFamily), std::string(kAuditIndexColumnFamily)};
  std::error_code error;
  if (std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT", error)) {
    std::vector<std::string> existing;
    const rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(options, data_dir, &existing);
    if (absl::Status status =
            FromRocksDb(listed, {.operation = "ListColumnFamilies", .data_dir = data_dir});
        !status.ok()) {
      return status;
    }
    for (const std::string& name : existing) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  auto db = std::unique_ptr<Db>(new Db(data_dir));
  db->audit_index_filter_ = std::make_shared<AuditIndexFilter>();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.reserve(names.size());
  for (const std::string& name : names) {
    rocksdb::ColumnFamilyOptions cf_options(options);
    if (name == kAuditIndexColumnFamily) cf_options.compaction_filter = db->audit_index_filter_.get();
    // Snapshot values are deflated already (docs/log-format.md); snappy on
    // top only costs a decompression of megabytes at every restart.
    if (name == kSnapshotsColumnFamily) cf_options.compression = rocksdb::kNoCompression;
    descriptors.emplace_back(name, cf_options);
  }

  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened =
      rocksdb::DB::Open(rocksdb::DBOptions(options), data_dir, descriptors, &db->handles_, &raw);
  if (absl::Status status = FromRocksDb(opened, {.operation = "Open", .data_dir = data_dir});
      !status.ok()) {
    return status;
  }
  db->db_.reset(raw);
  for (rocksdb::ColumnFamilyHandle* handle : db->handles_) {
    if (handle->GetName() == kEventsColumnFamily) db->events_ = handle;
    if (handle->GetName() == kMetaColumnFamily) db->meta_ = handle;
    if (handle->GetName() == kSnapshotsColumnFamily) db->snapshots_ = handle;
    if (handle->GetName() == kAuditColumnFamily) db->audit_ = handle;
    if (handle->GetName() == kAuditIndexColumnFamily) db->audit_index_ = handle;
  }
  if (db->events_ == nullptr || db->meta_ == nullptr || db->snapshots_ == nullptr ||
      db->audit_ == nullptr || db->audit_index_ == nullptr) {
    return absl::InternalError(
        absl::StrCat("rocksdb Open in ", data_dir, ": a required column family is missing"));
  }
  if (absl::Status status = db->InitMeta(); !status.ok()) return status;
  return db;
}

absl::Status Db::InitMeta() {
  absl::StatusOr<std::optional<std::string>> version = GetMeta(kMetaFormatVersionKey);
  if (!version.ok()) return version.status();
  absl::StatusOr<std::optional<std::string>> identity = GetMeta(kMetaLogIdentityKey);
  if (!identity.ok()) return identity.status();

  if (!version->has_value() && !identity->has_value()) {
    // A fresh data dir. Both entries go in one synced batch so a crash leaves
    // either a fresh dir or a complete one, never half of the meta.
    log_identity_ = NewLogIdentity();
    rocksdb::WriteBatch batch;
    rocksdb::Status put =
        batch.Put(meta_, std::string(kMetaFormatVersionKey), absl::StrCat(kStorageFormatVersion));
    if (put.ok()) put = batch.Put(meta_, std::string(kMetaLogIdentityKey), log_identity_);
    if (absl::Status status =
            FromRocksDb(put, {.operation = "WriteBatch::Put", .column_family = kMetaColumnFamily});
        !status.ok()) {
      return status;
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    return FromRocksDb(
        db_->Write(write_options, &batch),
        {.operation = "Write", .column_family = kMetaColumnFamily, .data_dir = data_dir_});
  }
  if (!version->has_value() || !identity->has_value()) {
    return absl::DataLossError(absl::StrCat("data dir ", data_dir_, ": meta has ",
                                            version->has_value()
                                                ? "a format version but no log identity"
                                                : "a log identity but no format version"));
  }
  int stored_version = 0;
  if (!absl::SimpleAtoi(**version, &stored_version)) {
    return absl::DataLossError(absl::StrCat(
        "data dir ", data_dir_, ": unreadable storage format version '", **version, "'"));
  }
  if (stored_version != kStorageFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", data_dir_, " has storage format version ", stored_version,
                     "; this build reads version ", kStorageFormatVersion));
  }
  log_identity_ = std::move(**identity);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> Db::GetMeta(std::string_view key) const {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), meta_, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (absl::Status translated =
          FromRocksDb(status, {.operation = "Get", .column_family = kMetaColumnFamily});
      !translated.ok()) {
    return translated;
  }
  return std::optional<std::string>(std::move(value));
}

absl::Status Db::PutMeta(std::string_view key, std::string_view value) {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocksDb(db_->Put(write_options, meta_, rocksdb::Slice(key.data(), key.size()),
                              rocksdb::Slice(value.data(), value.size())),
                     {.operation = "Put", .column_family = kMetaColumnFamily});
}

Db::~Db() {
  if (db_ == nullptr) {
    // Open failed before or inside rocksdb::DB::Open: nothing was handed out.
    return;
  }
  // A destructor cannot return a status; a failed close is reported where an
  // operator will see it, and the WAL still holds every acknowledged write.
  //
  // A clean close flushes the memtables, so that the next Open has no WAL
  // to replay: up to max_total_wal_size (then 64 MiB) of it took seconds of a
  // restart with 100,000 instances (bench/restart_scale.sh). After a crash
  // the WAL is replayed as before.
  rocksdb::FlushOptions flush_options;
  flush_options.allow_write_stall = true;
  if (const absl::Status flushed =
          FromRocksDb(db_->Flush(flush_options, handles_),
                      {.operation = "Flush", .data_dir = data_dir_});
      !flushed.ok()) {
    std::fprintf(stderr, "logbook: %s\n", flushed.ToString().c_str());
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    const absl::Status status =
        FromRocksDb(db_->DestroyColumnFamilyHandle(handle),
                    {.operation = "DestroyColumnFamilyHandle", .data_dir = data_dir_});
    if (!status.ok()) std::fprintf(stderr, "logbook: %s\n", status.ToString().c_str());
  }
  const absl::Status closed =
      FromRocksDb(db_->Close(), {.operation = "Close", .data_dir = data_dir_});
  if (!closed.ok()) std::fprintf(stderr, "logbook: %s\n", closed.ToString().c_str());
}

}  // namespace logbook::storage
