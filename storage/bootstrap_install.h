#pragma once
// Installing a snapshot transferred from a peer into a new data dir
// (docs/replication.md, "Bootstrap"; docs/log-format.md, meta
// `bootstrap_offset`). The snapshot, the cursors it implies and the new
// start of the log go in ONE synced WriteBatch: a crash leaves the dir
// either new (the bootstrap runs again) or bootstrapped, never half.
//
// Thread: any but the loop (RocksDB reads and a synced write); before the
// EventLog on the same dir is opened, or while it appends nothing.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/peer_cursor.h"

namespace logbook::storage {

class Db;

// meta key: the offset of the snapshot a bootstrapped log starts from.
inline constexpr std::string_view kMetaBootstrapOffsetKey = "bootstrap_offset";

// True when the dir holds no event, no snapshot, no cursor and never
// dropped anything: a node that has never served.
absl::StatusOr<bool> IsNewDataDir(const Db& db);

struct BootstrapImage {
  core::Offset offset = 0;  // the snapshot's offset; the log continues at offset + 1
  std::string snapshot;     // a snapshot value for `offset`
  std::vector<core::PeerCursor> cursors;
};

// REQUIRES: IsNewDataDir(db) (FailedPrecondition otherwise, nothing written),
// image.offset >= 1.
absl::Status InstallBootstrap(Db& db, const BootstrapImage& image);

// The offset the log was bootstrapped at; 0 when it was not.
absl::StatusOr<core::Offset> LoadBootstrapOffset(const Db& db);

}  // namespace logbook::storage
