#include "storage/bootstrap_install.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/peer_cursor_store.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

absl::StatusOr<bool> FamilyIsEmpty(const Db& db, rocksdb::ColumnFamilyHandle* family,
                                   std::string_view name) {
  std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator(rocksdb::ReadOptions(), family));
  it->SeekToFirst();
  RETURN_IF_ERROR(FromRocksDb(it->status(), {.operation = "SeekToFirst", .column_family = name}));
  return !it->Valid();
}

}  // namespace

absl::StatusOr<bool> IsNewDataDir(const Db& db) {
  ASSIGN_OR_RETURN(const bool no_events, FamilyIsEmpty(db, db.events(), kEventsColumnFamily));
  ASSIGN_OR_RETURN(const bool no_snapshots,
                   FamilyIsEmpty(db, db.snapshots(), kSnapshotsColumnFamily));
  ASSIGN_OR_RETURN(const std::optional<std::string> first, db.GetMeta(kMetaFirstOffsetKey));
  ASSIGN_OR_RETURN(const auto cursors, LoadPeerCursors(db));
  return no_events && no_snapshots && !first.has_value() && cursors.empty();
}

absl::Status InstallBootstrap(Db& db, const BootstrapImage& image) {
  ASSIGN_OR_RETURN(const bool fresh, IsNewDataDir(db));
  if (!fresh) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", db.data_dir(), " is not new: no snapshot installed"));
  }
  if (image.offset == core::kNoOffset) {
    return absl::InvalidArgumentError("a bootstrap snapshot needs an offset >= 1");
  }
  rocksdb::WriteBatch batch;
  const RocksDbContext context{.operation = "Put", .column_family = kMetaColumnFamily,
                               .offset = image.offset};
  RETURN_IF_ERROR(FromRocksDb(
      batch.Put(db.snapshots(), EventKey(image.offset),
                rocksdb::Slice(image.snapshot.data(), image.snapshot.size())),
      {.operation = "Put", .column_family = kSnapshotsColumnFamily, .offset = image.offset}));
  // The log now starts after the snapshot, exactly as after retention: the
  // open, recovery and the snapshotter need no special case.
  RETURN_IF_ERROR(FromRocksDb(
      batch.Put(db.meta(), std::string(kMetaFirstOffsetKey), EventKey(image.offset + 1)), context));
  RETURN_IF_ERROR(FromRocksDb(
      batch.Put(db.meta(), std::string(kMetaBootstrapOffsetKey), EventKey(image.offset)), context));
  for (const core::PeerCursor& cursor : image.cursors) {
    RETURN_IF_ERROR(FromRocksDb(
        batch.Put(db.meta(), PeerCursorKey(cursor.peer_node_id), EncodePeerCursorValue(cursor)),
        context));
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocksDb(db.raw()->Write(options, &batch),
                     {.operation = "Write", .column_family = kMetaColumnFamily,
                      .offset = image.offset});
}

absl::StatusOr<core::Offset> LoadBootstrapOffset(const Db& db) {
  ASSIGN_OR_RETURN(const std::optional<std::string> stored, db.GetMeta(kMetaBootstrapOffsetKey));
  if (!stored.has_value()) return core::kNoOffset;
  const std::optional<core::Offset> offset = ParseEventKey(*stored);
  if (!offset.has_value()) {
    return absl::DataLossError(
        absl::StrCat("data dir ", db.data_dir(), ": meta 'bootstrap_offset' is unreadable"));
  }
  return *offset;
}

}  // namespace logbook::storage
