#pragma once
// Peer cursors in the `meta` column family (docs/log-format.md, "meta keys";
// docs/replication.md). Written by the group-commit writer in the same
// WriteBatch as the pulled events they cover; read once at open.
//
// Thread: stateless functions; LoadPeerCursors reads RocksDB (any thread but
// the loop).
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/peer_cursor.h"

namespace logbook::storage {

class Db;

// "peer_cursor/" + the peer's node id.
inline constexpr std::string_view kMetaPeerCursorPrefix = "peer_cursor/";

std::string PeerCursorKey(std::string_view peer_node_id);
// Version byte 1, next_offset as 8 bytes big-endian, then the log identity.
std::string EncodePeerCursorValue(const core::PeerCursor& cursor);
// DataLoss naming the key on a malformed value.
absl::StatusOr<core::PeerCursor> DecodePeerCursor(std::string_view key, std::string_view value);

// Every stored cursor, by peer node id.
absl::StatusOr<std::map<std::string, core::PeerCursor>> LoadPeerCursors(const Db& db);

}  // namespace logbook::storage
