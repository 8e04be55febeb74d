#include "storage/log_reader.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "storage/audit_index.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

constexpr core::Offset kMaxOffset = ~core::Offset{0};

// True when another process holds RocksDB's LOCK on `data_dir`. RocksDB's
// Posix env locks the file with fcntl(F_SETLK, F_WRLCK), which F_GETLK sees
// from any other process without taking anything.
bool LockedByAnotherProcess(const std::string& data_dir) {
  const std::string lock_path = data_dir + "/LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  lock.l_start = 0;
  lock.l_len = 0;
  const bool locked = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

std::string MakeSecondaryDir() {
  std::error_code error;
  std::string pattern =
      (std::filesystem::temp_directory_path(error) / "logbook-log-secondary-XXXXXX").string();
  if (error) pattern = "/tmp/logbook-log-secondary-XXXXXX";
  const char* made = ::mkdtemp(pattern.data());
  return made == nullptr ? std::string() : pattern;
}

}  // namespace

std::string_view ReadModeName(ReadMode mode) {
  switch (mode) {
    case ReadMode::kReadOnly:
      return "read-only";
    case ReadMode::kSecondary:
      return "secondary";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<LogReader>> LogReader::Open(const std::string& data_dir) {
  if (data_dir.empty()) return absl::InvalidArgumentError("data dir is empty");
  std::error_code error;
  if (!std::filesystem::is_directory(data_dir, error)) {
    return absl::NotFoundError(absl::StrCat("data dir ", data_dir, " does not exist"));
  }
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT", error)) {
    return absl::NotFoundError(
        absl::StrCat(data_dir, " is not a logbook data dir (no RocksDB CURRENT file)"));
  }

  rocksdb::Options options;
  // Keeps every table file open from Open on: a live node's compaction may
  // unlink files we have not read yet (and secondary mode requires it).
  options.max_open_files = -1;
  options.create_if_missing = false;

  auto reader = std::unique_ptr<LogReader>(new LogReader());
  reader->data_dir_ = data_dir;
  RETURN_IF_ERROR(
      FromRocksDb(rocksdb::DB::ListColumnFamilies(options, data_dir, &reader->column_families_),
                  {.operation = "ListColumnFamilies", .data_dir = data_dir}));

  // Only the families this build knows are opened: both modes allow a
  // subset, and a newer family may use options (comparator, merge operator)
  // we would open it with wrongly.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : reader->column_families_) {
    if (name == rocksdb::kDefaultColumnFamilyName || name == kEventsColumnFamily ||
        name == kMetaColumnFamily || name == kSnapshotsColumnFamily ||
        name == kAuditColumnFamily || name == kAuditIndexColumnFamily) {
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
    }
  }

  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  if (LockedByAnotherProcess(data_dir)) {
    reader->mode_ = ReadMode::kSecondary;
    reader->secondary_dir_ = MakeSecondaryDir();
    if (reader->secondary_dir_.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", data_dir,
          " is held by a running node, and no temp dir could be made to read it as a RocksDB "
          "secondary"));
    }
    opened =
        rocksdb::DB::OpenAsSecondary(rocksdb::DBOptions(options), data_dir, reader->secondary_dir_,
                                     descriptors, &reader->handles_, &raw);
  } else {
    opened = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(options), data_dir, descriptors,
                                          &reader->handles_, &raw);
  }
  if (!opened.ok()) {
    const absl::Status status = FromRocksDb(
        opened,
        {.operation = reader->mode_ == ReadMode::kSecondary ? "OpenAsSecondary" : "OpenForReadOnly",
         .data_dir = data_dir});
    if (reader->mode_ == ReadMode::kSecondary) {
      return absl::FailedPreconditionError(
          absl::StrCat("data dir ", data_dir,
                       " is held by a running node and RocksDB cannot read it beside the node (",
                       status.message(), "); stop the node or run on a copy of the directory"));
    }
    return status;
  }
  reader->db_.reset(raw);
  for (rocksdb::ColumnFamilyHandle* handle : reader->handles_) {
    if (handle->GetName() == kEventsColumnFamily) reader->events_ = handle;
    if (handle->GetName() == kMetaColumnFamily) reader->meta_ = handle;
    if (handle->GetName() == kSnapshotsColumnFamily) reader->snapshots_ = handle;
    if (handle->GetName() == kAuditColumnFamily) reader->audit_ = handle;
    if (handle->GetName() == kAuditIndexColumnFamily) reader->audit_index_ = handle;
  }
  if (reader->events_ == nullptr || reader->meta_ == nullptr) {
    return absl::DataLossError(absl::StrCat("data dir ", data_dir, " has no '",
                                            reader->events_ == nullptr ? "events" : "meta",
                                            "' column family"));
  }
  if (reader->audit_ != nullptr && reader->audit_index_ != nullptr) {
    ASSIGN_OR_RETURN(const std::optional<std::string> floor,
                     reader->GetMeta(kMetaAuditFirstOffsetKey));
    core::Offset first = 1;
    if (floor.has_value()) {
      const std::optional<core::Offset> parsed = ParseEventKey(*floor);
      if (!parsed.has_value() || *parsed == core::kNoOffset) {
        return absl::DataLossError(absl::StrCat("data dir ", data_dir, ": meta '",
                                                std::string(kMetaAuditFirstOffsetKey), "' holds ",
                                                floor->size(), " unreadable bytes"));
      }
      first = *parsed;
    }
    reader->audit_first_offset_.store(first);
    reader->audit_index_reader_ = std::make_unique<AuditIndex>(
        AuditSource{.db = reader->db_.get(),
                    .audit = reader->audit_,
                    .audit_index = reader->audit_index_,
                    .data_dir = data_dir,
                    .use_snapshot = false},
        reader->audit_first_offset_);
  }
  return reader;
}

LogReader::~LogReader() {
  // Reads through the handles below: gone before them.
  audit_index_reader_.reset();
  if (db_ != nullptr) {
    // Read-only handles: nothing to flush, so a failure here changes nothing.
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  if (!secondary_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_dir_, ignored);
  }
}

absl::StatusOr<std::optional<std::string>> LogReader::GetMeta(std::string_view key) const {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), meta_, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocksDb(status, {.operation = "Get", .column_family = kMetaColumnFamily}));
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<std::pair<core::Offset, core::Offset>> LogReader::OffsetBounds() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events_));
  auto key_offset = [&it]() -> absl::StatusOr<core::Offset> {
    const rocksdb::Slice key = it->key();
    const std::optional<core::Offset> offset =
        ParseEventKey(std::string_view(key.data(), key.size()));
    if (!offset.has_value() || *offset == core::kNoOffset) {
      return absl::DataLossError(absl::StrCat("column family 'events' holds a malformed key: ",
                                              key.ToString(/*hex=*/true)));
    }
    return *offset;
  };
  it->SeekToLast();
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "SeekToLast", .column_family = kEventsColumnFamily}));
  if (!it->Valid()) {
    // No event at all: a new log starts at 1, a bootstrapped one right after
    // its snapshot (meta first_offset, docs/log-format.md).
    ASSIGN_OR_RETURN(const std::optional<std::string> stored, GetMeta(kMetaFirstOffsetKey));
    const std::optional<core::Offset> first =
        stored.has_value() ? ParseEventKey(*stored) : std::optional<core::Offset>(1);
    if (!first.has_value() || *first == core::kNoOffset) {
      return absl::DataLossError("meta 'first_offset' is unreadable");
    }
    return std::pair<core::Offset, core::Offset>(*first, core::kNoOffset);
  }
  ASSIGN_OR_RETURN(const core::Offset last, key_offset());
  it->SeekToFirst();
  RETURN_IF_ERROR(FromRocksDb(it->status(),
                              {.operation = "SeekToFirst", .column_family = kEventsColumnFamily}));
  if (!it->Valid()) return absl::InternalError("column family 'events' changed while read");
  ASSIGN_OR_RETURN(const core::Offset first, key_offset());
  return std::pair<core::Offset, core::Offset>(first, last);
}

absl::StatusOr<std::vector<KeyInfo>> LogReader::SnapshotKeys() const {
  std::vector<KeyInfo> keys;
  if (snapshots_ == nullptr) return keys;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), snapshots_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    keys.push_back(KeyInfo{it->key().ToString(), it->value().size()});
  }
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "Iterate", .column_family = kSnapshotsColumnFamily}));
  return keys;
}

absl::StatusOr<std::vector<SnapshotValue>> LogReader::Snapshots() const {
  std::vector<SnapshotValue> snapshots;
  if (snapshots_ == nullptr) return snapshots;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), snapshots_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    snapshots.push_back(SnapshotValue{it->key().ToString(), it->value().ToString()});
  }
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "Iterate", .column_family = kSnapshotsColumnFamily}));
  return snapshots;
}

absl::StatusOr<core::AuditPage> LogReader::History(const core::AuditQuery& query) const {
  if (audit_index_reader_ == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", data_dir_,
                     " has no audit column families (written before the audit index existed)"));
  }
  return audit_index_reader_->History(query);
}

absl::Status LogReader::VerifyFileChecksums() const {
  return FromRocksDb(db_->VerifyChecksum(), {.operation = "VerifyChecksum", .data_dir = data_dir_});
}

std::unique_ptr<EventCursor> LogReader::NewCursor(const CursorOptions& options) const {
  const core::Offset from = std::max<core::Offset>(options.from, 1);
  std::string lower = EventKey(from);
  std::string upper = options.through == kMaxOffset ? std::string() : EventKey(options.through + 1);
  // The bounds live in the cursor: RocksDB copies the ReadOptions into the
  // iterator, but they only point at the bound Slices.
  auto cursor = std::unique_ptr<EventCursor>(
      new EventCursor(nullptr, std::move(lower), std::move(upper), from, options.through,
                      options.reverse, options.expect_dense));
  cursor->lower_slice_ = rocksdb::Slice(cursor->lower_);
  cursor->upper_slice_ = rocksdb::Slice(cursor->upper_);
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &cursor->lower_slice_;
  if (!cursor->upper_.empty()) read_options.iterate_upper_bound = &cursor->upper_slice_;
  cursor->it_.reset(db_->NewIterator(read_options, events_));
  return cursor;
}

EventCursor::EventCursor(std::unique_ptr<rocksdb::Iterator> it, std::string lower,
                         std::string upper, core::Offset from, core::Offset through, bool reverse,
                         bool expect_dense)
    : lower_(std::move(lower)),
      upper_(std::move(upper)),
      it_(std::move(it)),
      from_(from),
      through_(through),
      reverse_(reverse),
      expect_dense_(expect_dense) {}

EventCursor::~EventCursor() = default;

bool EventCursor::Next(LogRecord* record) {
  if (done_) return false;
  if (from_ > through_) {
    done_ = true;
    return false;
  }
  if (!started_) {
    started_ = true;
    if (reverse_) {
      it_->SeekToLast();
    } else {
      it_->SeekToFirst();
    }
    if (expect_dense_) expected_ = reverse_ ? through_ : from_;
  }
  *record = LogRecord();
  if (!it_->Valid()) {
    done_ = true;
    status_ = FromRocksDb(it_->status(), {.operation = "Iterate",
                                          .column_family = kEventsColumnFamily,
                                          .offset = expected_.value_or(core::kNoOffset)});
    if (!status_.ok()) return false;
    // Offsets the range should still hold: missing at its end.
    if (expect_dense_ && expected_.has_value() &&
        (reverse_ ? *expected_ >= from_ && *expected_ != core::kNoOffset
                  : *expected_ <= through_)) {
      record->kind = LogRecord::Kind::kGap;
      record->offset = reverse_ ? from_ : *expected_;
      record->gap_last = reverse_ ? *expected_ : through_;
      record->problem = absl::DataLossError(
          absl::StrCat("missing offsets ", record->offset, "..", record->gap_last, " at the ",
                       reverse_ ? "start" : "end", " of the log"));
      return true;
    }
    return false;
  }

  const rocksdb::Slice key = it_->key();
  const std::optional<core::Offset> parsed =
      ParseEventKey(std::string_view(key.data(), key.size()));
  if (!parsed.has_value() || *parsed == core::kNoOffset) {
    record->kind = LogRecord::Kind::kBadKey;
    record->value_bytes = it_->value().size();
    record->problem =
        absl::DataLossError(absl::StrCat("column family 'events' holds a malformed key of ",
                                         key.size(), " bytes: ", key.ToString(/*hex=*/true)));
    if (reverse_) {
      it_->Prev();
    } else {
      it_->Next();
    }
    return true;
  }
  const core::Offset offset = *parsed;
  if (expected_.has_value() && offset != *expected_) {
    // Report the gap now and the key itself on the next call.
    record->kind = LogRecord::Kind::kGap;
    record->offset = reverse_ ? offset + 1 : *expected_;
    record->gap_last = reverse_ ? *expected_ : offset - 1;
    record->problem = absl::DataLossError(
        absl::StrCat("missing offsets ", record->offset, "..", record->gap_last, " (",
                     reverse_ ? "previous" : "next", " present offset is ", offset, ")"));
    expected_ = offset;
    return true;
  }
  expected_ = reverse_ ? offset - 1 : offset + 1;
  const rocksdb::Slice value = it_->value();
  record->offset = offset;
  record->value_bytes = value.size();
  absl::StatusOr<core::Event> event =
      DecodeEvent(std::string_view(value.data(), value.size()), offset);
  if (event.ok()) {
    record->kind = LogRecord::Kind::kEvent;
    record->event = *std::move(event);
    record->event.offset = offset;
  } else {
    record->kind = LogRecord::Kind::kDamaged;
    record->problem = event.status();
  }
  if (reverse_) {
    it_->Prev();
  } else {
    it_->Next();
  }
  return true;
}

}  // namespace logbook::storage
