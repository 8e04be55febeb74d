#pragma once
// The registry and the peer cursors of a data dir as of one durable offset,
// read in one consistent RocksDB view, for a node bootstrapping from this one
// (docs/replication.md, "Snapshot transfer"). The newest stored snapshot is
// not enough on its own: the cursors stored in `meta` have moved past it
// since, and the events that would say where they stood may be gone. So the
// export decodes the newest valid snapshot, replays the events after it up
// to the end of the view, and encodes the result: registry and cursors then
// describe the same offset exactly.
//
// Thread: any but the loop (it reads RocksDB and decodes/encodes a whole
// registry).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/peer_cursor.h"
#include "core/registry.h"

namespace logbook::storage {

class Db;

struct ExportedSnapshot {
  // The last durable offset the view holds (0: the log is empty, nothing to
  // export).
  core::Offset offset = core::kNoOffset;
  std::string encoded;  // a snapshot value for `offset` (storage/snapshot_codec.h)
  // Every cursor stored in `meta` in the same view, by peer node id order.
  std::vector<core::PeerCursor> cursors;
};

// DataLoss when the log in the view is damaged or not replayable (no usable
// snapshot and the log no longer starts at offset 1); RocksDB errors as they
// come. `options` are the serving node's registry options.
absl::StatusOr<ExportedSnapshot> ExportSnapshot(const Db& db, const core::RegistryOptions& options);

}  // namespace logbook::storage
