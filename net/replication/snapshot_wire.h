#pragma once
// The body of GET /logbook/v1/replication/snapshot (docs/replication.md,
// "Snapshot transfer"): a registry snapshot in the log's own snapshot format
// (docs/log-format.md, "Snapshot values") together with the cursors it
// implies, the whole checksummed, so a bootstrapping node installs both or
// neither. net/ never decodes the snapshot itself (that is storage's codec):
// the caller validates it through the function it is handed.
//
// Thread: pure functions; any thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/ids.h"
#include "core/peer_cursor.h"

namespace logbook::net::replication {

inline constexpr std::string_view kSnapshotContentType = "application/x-logbook-snapshot";
// The offset of the serving node's log the snapshot covers (every answer).
inline constexpr std::string_view kSnapshotOffsetHeader = "X-Logbook-Snapshot-Offset";
// "true" on the 503 of a node that is itself bootstrapping: it has nothing
// to give yet (a cluster whose nodes all start empty must not wait forever).
inline constexpr std::string_view kBootstrappingHeader = "X-Logbook-Bootstrapping";
inline constexpr std::string_view kSnapshotMagic = "LBST";
inline constexpr unsigned char kSnapshotTransferVersion = 1;

// What a node ships to a bootstrapping one.
struct SnapshotTransfer {
  // The serving node's offset: the snapshot holds its registry after every
  // event up to it, and `cursors` are what it had pulled by then.
  core::Offset offset = 0;
  // One per origin whose events the snapshot includes, the serving node's
  // own first: (server, its log identity, offset + 1). The others are the
  // serving node's cursors read in the same consistent view as the snapshot.
  std::vector<core::PeerCursor> cursors;
  // A snapshot value as stored in the `snapshots` column family (its own
  // CRC-32 inside), for key `offset`.
  std::string snapshot;
  bool operator==(const SnapshotTransfer&) const = default;
};

std::string EncodeSnapshotTransfer(const SnapshotTransfer& transfer);

// What the answer's headers promised; DecodeSnapshotTransfer checks the body
// against it.
struct SnapshotFrame {
  core::NodeId node_id;     // the serving node
  std::string log_identity;  // its log identity
  core::Offset offset = 0;   // X-Logbook-Snapshot-Offset
};

// DataLoss on damage (truncated, bad CRC-32, bad magic, trailing bytes,
// malformed cursor), InvalidArgument on a body that contradicts the frame (another
// offset, a missing or wrong cursor for the serving node, a duplicate origin)
// or an unknown version. The snapshot value inside is not decoded here.
absl::StatusOr<SnapshotTransfer> DecodeSnapshotTransfer(const SnapshotFrame& frame,
                                                        std::string_view body);

}  // namespace logbook::net::replication
