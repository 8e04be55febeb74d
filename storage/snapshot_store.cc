#include "storage/snapshot_store.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"
#include "storage/snapshot_codec.h"

namespace logbook::storage {
namespace {

rocksdb::Slice AsSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

}  // namespace

SnapshotStore::SnapshotStore(Db& db, int keep) : db_(db), keep_(keep) { LOGBOOK_CHECK(keep >= 1); }

absl::Status SnapshotStore::Write(core::Offset offset, std::string_view encoded) {
  ASSIGN_OR_RETURN(const std::vector<SnapshotInfo> existing, List());
  rocksdb::WriteBatch batch;
  const std::string key = EventKey(offset);
  RETURN_IF_ERROR(FromRocksDb(batch.Put(db_.snapshots(), key, AsSlice(encoded)),
                              {.operation = "Put", .column_family = kSnapshotsColumnFamily,
                               .offset = offset}));
  // The newest `keep_` of the existing ones plus the new one survive.
  std::set<core::Offset> offsets = {offset};
  for (const SnapshotInfo& info : existing) offsets.insert(info.offset);
  int rank = 0;
  for (auto it = offsets.rbegin(); it != offsets.rend(); ++it, ++rank) {
    if (rank < keep_) continue;
    RETURN_IF_ERROR(FromRocksDb(batch.Delete(db_.snapshots(), EventKey(*it)),
                                {.operation = "Delete", .column_family = kSnapshotsColumnFamily,
                                 .offset = *it}));
  }
  return FromRocksDb(db_.raw()->Write(rocksdb::WriteOptions(), &batch),
                     {.operation = "Write", .column_family = kSnapshotsColumnFamily,
                      .offset = offset});
}

absl::StatusOr<std::vector<SnapshotInfo>> SnapshotStore::List() const {
  std::vector<SnapshotInfo> snapshots;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.snapshots()));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    const rocksdb::Slice key = it->key();
    const std::optional<core::Offset> offset =
        ParseEventKey(std::string_view(key.data(), key.size()));
    snapshots.push_back(SnapshotInfo{offset.value_or(core::kNoOffset), it->value().size()});
  }
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "Iterate", .column_family = kSnapshotsColumnFamily}));
  return snapshots;
}

absl::StatusOr<std::optional<std::string>> SnapshotStore::Read(core::Offset offset) const {
  std::string value;
  const rocksdb::Status status =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.snapshots(), EventKey(offset), &value);
  if (status.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocksDb(
      status, {.operation = "Get", .column_family = kSnapshotsColumnFamily, .offset = offset}));
  return value;
}

absl::StatusOr<std::optional<LoadedSnapshot>> SnapshotStore::LoadNewest(
    const core::RegistryOptions& options, core::Offset min_offset, core::Offset max_offset,
    std::vector<SkippedSnapshot>* skipped) const {
  // One pass, newest first, decoding straight from the iterator's value:
  // a snapshot of 100,000 instances is megabytes, and listing them first
  // then Get()ting one read and copied each again (restart time, issue 4).
  // The iterator's implicit RocksDB snapshot keeps the view consistent
  // while the snapshotter writes. Not cached: read once, at startup.
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(read_options, db_.snapshots()));
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    const rocksdb::Slice key = it->key();
    const core::Offset offset =
        ParseEventKey(std::string_view(key.data(), key.size())).value_or(core::kNoOffset);
    if (offset == core::kNoOffset) {
      skipped->push_back({offset, "malformed key (not 8 bytes, or offset 0)"});
      continue;
    }
    if (offset > max_offset) {
      skipped->push_back(
          {offset, absl::StrCat("beyond the end of the log (last offset ", max_offset, ")")});
      continue;
    }
    if (offset < min_offset) {
      skipped->push_back({offset, absl::StrCat("the events after it are no longer retained "
                                               "(oldest offset ", min_offset + 1, ")")});
      continue;
    }
    const rocksdb::Slice value = it->value();
    absl::StatusOr<std::unique_ptr<core::Registry>> registry =
        DecodeSnapshot(std::string_view(value.data(), value.size()), offset, options);
    if (!registry.ok()) {
      skipped->push_back({offset, std::string(core::MessageOf(registry.status()))});
      continue;
    }
    return LoadedSnapshot{offset, *std::move(registry)};
  }
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "Iterate", .column_family = kSnapshotsColumnFamily}));
  return std::nullopt;
}

}  // namespace logbook::storage
