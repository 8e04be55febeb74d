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
  ASSIGN_OR_RETURN(const std::vector<SnapshotInfo> snapshots, List());
  for (const SnapshotInfo& info : snapshots) {
    if (info.offset == core::kNoOffset) {
      skipped->push_back({info.offset, "malformed key (not 8 bytes, or offset 0)"});
      continue;
    }
    if (info.offset > max_offset) {
      skipped->push_back({info.offset, absl::StrCat("beyond the end of the log (last offset ",
                                                    max_offset, ")")});
      continue;
    }
    if (info.offset < min_offset) {
      skipped->push_back({info.offset, absl::StrCat("the events after it are no longer retained "
                                                    "(oldest offset ", min_offset + 1, ")")});
      continue;
    }
    ASSIGN_OR_RETURN(const std::optional<std::string> value, Read(info.offset));
    if (!value.has_value()) {
      skipped->push_back({info.offset, "vanished while loading"});
      continue;
    }
    absl::StatusOr<std::unique_ptr<core::Registry>> registry =
        DecodeSnapshot(*value, info.offset, options);
    if (!registry.ok()) {
      skipped->push_back({info.offset, std::string(core::MessageOf(registry.status()))});
      continue;
    }
    return LoadedSnapshot{info.offset, *std::move(registry)};
  }
  return std::nullopt;
}

}  // namespace logbook::storage
