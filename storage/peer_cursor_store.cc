#include "storage/peer_cursor_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

constexpr char kCursorVersion = 1;

}  // namespace

std::string PeerCursorKey(std::string_view peer_node_id) {
  return absl::StrCat(std::string(kMetaPeerCursorPrefix), std::string(peer_node_id));
}

std::string EncodePeerCursorValue(const core::PeerCursor& cursor) {
  std::string value(1, kCursorVersion);
  value.append(EventKey(cursor.next_offset));
  value.append(cursor.peer_log_identity);
  return value;
}

absl::StatusOr<core::PeerCursor> DecodePeerCursor(std::string_view key, std::string_view value) {
  const auto damaged = [&](std::string_view why) {
    return absl::DataLossError(absl::StrCat("meta '", std::string(key), "': ", std::string(why)));
  };
  if (!key.starts_with(kMetaPeerCursorPrefix) || key.size() == kMetaPeerCursorPrefix.size()) {
    return damaged("not a peer cursor key");
  }
  if (value.size() < 1 + kEventKeySize) return damaged("value too short");
  if (value[0] != kCursorVersion) return damaged("unknown cursor version");
  std::optional<core::Offset> next = ParseEventKey(value.substr(1, kEventKeySize));
  if (!next.has_value() || *next == core::kNoOffset) return damaged("bad offset");
  core::PeerCursor cursor;
  cursor.peer_node_id = std::string(key.substr(kMetaPeerCursorPrefix.size()));
  cursor.peer_log_identity = std::string(value.substr(1 + kEventKeySize));
  cursor.next_offset = *next;
  return cursor;
}

absl::StatusOr<std::map<std::string, core::PeerCursor>> LoadPeerCursors(const Db& db) {
  std::map<std::string, core::PeerCursor> cursors;
  std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator(rocksdb::ReadOptions(), db.meta()));
  const rocksdb::Slice prefix(kMetaPeerCursorPrefix.data(), kMetaPeerCursorPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    ASSIGN_OR_RETURN(core::PeerCursor cursor,
                     DecodePeerCursor(std::string_view(key.data(), key.size()),
                                      std::string_view(value.data(), value.size())));
    cursors.emplace(cursor.peer_node_id, std::move(cursor));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(),
                              {.operation = "Iterate", .column_family = kMetaColumnFamily}));
  return cursors;
}

}  // namespace logbook::storage
