#pragma once
// Read-only access to a data dir for offline tools (`logbook log`): opens it
// without writing a byte and without taking the LOCK, so it works on a dir a
// node is serving from, and walks the `events` column family reporting every
// damaged record and every gap with its offset, the way leveldb's log_reader
// hands damage to a reporter and lets the caller pick the policy.
//
// Thread: LogReader is immutable after Open; every method may be called from
// any thread, and any number of EventCursors may run at once. One EventCursor
// is used by one thread at a time.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/audit_journal.h"
#include "core/event.h"
#include "core/ids.h"
#include "rocksdb/slice.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
}  // namespace rocksdb

namespace logbook::storage {

class AuditIndex;

// How the dir was opened.
enum class ReadMode {
  // rocksdb::DB::OpenForReadOnly: no node holds the dir.
  kReadOnly,
  // rocksdb::DB::OpenAsSecondary with a private temp dir for RocksDB's own
  // info log: a node holds the LOCK, and RocksDB calls a read-only open next to
  // a live writer undefined behaviour. Sees what was written up to Open.
  kSecondary,
};
std::string_view ReadModeName(ReadMode mode);  // "read-only", "secondary"

// One key of a column family, for listings (e.g. the snapshots).
struct KeyInfo {
  std::string key;
  std::size_t value_bytes = 0;
};

// One stored snapshot, undecoded (storage/snapshot_codec.h decodes it).
struct SnapshotValue {
  std::string key;
  std::string value;
};

// One step of an EventCursor.
struct LogRecord {
  enum class Kind {
    kEvent,    // `event` decoded; its checksum matched
    kDamaged,  // the value does not decode (checksum, truncation, version):
               // `problem` is DataLoss/InvalidArgument naming `offset`
    kGap,      // offsets [offset, gap_last] are missing between two keys
    kBadKey,   // a key that is not 8 bytes; `offset` is kNoOffset
  };
  Kind kind = Kind::kEvent;
  core::Offset offset = core::kNoOffset;
  core::Offset gap_last = core::kNoOffset;  // kGap only
  std::size_t value_bytes = 0;
  core::Event event;     // kEvent only
  absl::Status problem;  // every kind but kEvent
};

// Walks `events` over [from, through] in offset order, or in reverse. Keys
// past the range are never read. A gap inside the range is reported, and so
// are offsets missing at the range's ends when the caller asks for them
// (ExpectDense), so a scan can prove the log dense from first to last.
class EventCursor {
 public:
  ~EventCursor();
  EventCursor(const EventCursor&) = delete;
  EventCursor& operator=(const EventCursor&) = delete;

  // Fills *record with the next step; false at the end or on a RocksDB error
  // (then status() says which).
  bool Next(LogRecord* record);
  // OK, or the RocksDB error that ended the walk early.
  const absl::Status& status() const { return status_; }

 private:
  friend class LogReader;
  EventCursor(std::unique_ptr<rocksdb::Iterator> it, std::string lower, std::string upper,
              core::Offset from, core::Offset through, bool reverse, bool expect_dense);
  // Bounds referenced by the iterator's ReadOptions (by pointer, to the
  // Slices, which point into the strings): declared before it.
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  core::Offset from_;
  core::Offset through_;
  bool reverse_;
  bool expect_dense_;
  bool started_ = false;
  bool done_ = false;
  // The next offset a dense log would show in the walk's direction;
  // kNoOffset before the first key when not expecting density.
  std::optional<core::Offset> expected_;
  absl::Status status_;
};

class LogReader {
 public:
  // Opens `data_dir` read-only. Never creates anything in it. NotFound when
  // it is not a data dir; FailedPrecondition with a message telling the
  // operator what to do when RocksDB cannot open it beside a live node.
  static absl::StatusOr<std::unique_ptr<LogReader>> Open(const std::string& data_dir);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  const std::string& data_dir() const { return data_dir_; }
  ReadMode mode() const { return mode_; }
  // Every column family in the dir, including ones this build does not know
  // (those are listed but not opened: their options may not be ours).
  const std::vector<std::string>& column_families() const { return column_families_; }

  // nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> GetMeta(std::string_view key) const;

  // {first, last} offset of `events`, or {1, 0} when empty. DataLoss on a
  // malformed first or last key.
  absl::StatusOr<std::pair<core::Offset, core::Offset>> OffsetBounds() const;

  // Keys and value sizes of the `snapshots` column family in key order; empty
  // when the dir has none.
  absl::StatusOr<std::vector<KeyInfo>> SnapshotKeys() const;

  // Every snapshot in key (= offset) order, with its bytes; empty when the
  // dir has none.
  absl::StatusOr<std::vector<SnapshotValue>> Snapshots() const;

  // The audit history, answered from the audit index exactly as a node
  // answers GET /logbook/v1/history (storage/audit_index.h).
  // FailedPrecondition when the dir has no audit column families.
  absl::StatusOr<core::AuditPage> History(const core::AuditQuery& query) const;

  // RocksDB's own checksums of every table file (all column families).
  // DataLoss naming the damage.
  absl::Status VerifyFileChecksums() const;

  struct CursorOptions {
    core::Offset from = 1;
    core::Offset through = ~core::Offset{0};
    bool reverse = false;  // from `through` down to `from`
    // Report offsets missing at the ends of [from, through] as gaps too.
    // Use with a range inside OffsetBounds().
    bool expect_dense = false;
  };
  std::unique_ptr<EventCursor> NewCursor(const CursorOptions& options) const;

 private:
  LogReader() = default;
  std::string data_dir_;
  std::string secondary_dir_;  // kSecondary: removed by the destructor
  ReadMode mode_ = ReadMode::kReadOnly;
  std::vector<std::string> column_families_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* snapshots_ = nullptr;  // null when absent
  rocksdb::ColumnFamilyHandle* audit_ = nullptr;       // null when absent
  rocksdb::ColumnFamilyHandle* audit_index_ = nullptr;  // null when absent
  std::atomic<core::Offset> audit_first_offset_{1};
  std::unique_ptr<AuditIndex> audit_index_reader_;  // null without the audit families
};

}  // namespace logbook::storage
