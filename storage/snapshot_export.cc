#include "storage/snapshot_export.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/peer_cursor_store.h"
#include "storage/rocksdb_status.h"
#include "storage/snapshot_codec.h"

namespace logbook::storage {
namespace {

// Releases the RocksDB snapshot the export reads under.
class ConsistentView {
 public:
  explicit ConsistentView(rocksdb::DB* db) : db_(db), snapshot_(db->GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~ConsistentView() { db_->ReleaseSnapshot(snapshot_); }
  ConsistentView(const ConsistentView&) = delete;
  ConsistentView& operator=(const ConsistentView&) = delete;
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

}  // namespace

absl::StatusOr<ExportedSnapshot> ExportSnapshot(const Db& db, const core::RegistryOptions& options) {
  ConsistentView view(db.raw());
  ExportedSnapshot exported;

  // The end of the view: its last event, or (a log that holds none, e.g.
  // right after a bootstrap or retention) the offset before the first kept.
  core::Offset first = 1;
  {
    std::string stored;
    const rocksdb::Status got =
        db.raw()->Get(view.options(), db.meta(), std::string(kMetaFirstOffsetKey), &stored);
    if (!got.IsNotFound()) {
      RETURN_IF_ERROR(FromRocksDb(got, {.operation = "Get", .column_family = kMetaColumnFamily}));
      const std::optional<core::Offset> parsed = ParseEventKey(stored);
      if (!parsed.has_value()) return absl::DataLossError("meta 'first_offset' is unreadable");
      first = *parsed;
    }
  }
  std::unique_ptr<rocksdb::Iterator> events(db.raw()->NewIterator(view.options(), db.events()));
  events->SeekToLast();
  RETURN_IF_ERROR(FromRocksDb(events->status(),
                              {.operation = "SeekToLast", .column_family = kEventsColumnFamily}));
  core::Offset end = first - 1;
  if (events->Valid()) {
    const std::optional<core::Offset> last = ParseEventKey(View(events->key()));
    if (!last.has_value()) return absl::DataLossError("an event key is not 8 bytes");
    end = *last;
  }
  exported.offset = end;
  if (end == core::kNoOffset) return exported;

  // The newest snapshot at or below the end that decodes.
  std::unique_ptr<core::Registry> registry;
  std::string snapshot_errors;
  std::unique_ptr<rocksdb::Iterator> snapshots(
      db.raw()->NewIterator(view.options(), db.snapshots()));
  for (snapshots->SeekForPrev(EventKey(end)); snapshots->Valid(); snapshots->Prev()) {
    const std::optional<core::Offset> at = ParseEventKey(View(snapshots->key()));
    if (!at.has_value() || *at < first - 1) continue;
    absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
        DecodeSnapshot(View(snapshots->value()), *at, options);
    if (decoded.ok()) {
      registry = std::move(*decoded);
      break;
    }
    absl::StrAppend(&snapshot_errors, " ", std::string(core::MessageOf(decoded.status())));
  }
  RETURN_IF_ERROR(FromRocksDb(snapshots->status(),
                              {.operation = "Iterate", .column_family = kSnapshotsColumnFamily}));
  if (registry == nullptr) {
    if (first > 1) {
      return absl::DataLossError(absl::StrCat("no usable snapshot and the log starts at offset ",
                                              first, ":", snapshot_errors));
    }
    registry = std::make_unique<core::Registry>(options);
  }

  // Replay the rest of the view, checking that no offset is missing.
  core::Offset expected = registry->last_applied_offset() + 1;
  for (events->Seek(EventKey(expected)); events->Valid(); events->Next()) {
    const std::optional<core::Offset> at = ParseEventKey(View(events->key()));
    if (!at.has_value() || *at != expected) {
      return absl::DataLossError(absl::StrCat("offset ", expected, " is missing from the log"));
    }
    ASSIGN_OR_RETURN(core::Event event, DecodeEvent(View(events->value()), *at));
    registry->Apply(event);
    ++expected;
  }
  RETURN_IF_ERROR(FromRocksDb(events->status(),
                              {.operation = "Iterate", .column_family = kEventsColumnFamily}));
  if (expected != end + 1) {
    return absl::DataLossError(absl::StrCat("offset ", expected, " is missing from the log"));
  }
  exported.encoded = EncodeSnapshot(*registry);

  std::unique_ptr<rocksdb::Iterator> meta(db.raw()->NewIterator(view.options(), db.meta()));
  const rocksdb::Slice prefix(kMetaPeerCursorPrefix.data(), kMetaPeerCursorPrefix.size());
  for (meta->Seek(prefix); meta->Valid() && meta->key().starts_with(prefix); meta->Next()) {
    ASSIGN_OR_RETURN(core::PeerCursor cursor,
                     DecodePeerCursor(View(meta->key()), View(meta->value())));
    exported.cursors.push_back(std::move(cursor));
  }
  RETURN_IF_ERROR(
      FromRocksDb(meta->status(), {.operation = "Iterate", .column_family = kMetaColumnFamily}));
  return exported;
}

}  // namespace logbook::storage
