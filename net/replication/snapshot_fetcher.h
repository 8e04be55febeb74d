#pragma once
// Fetches one peer's snapshot transfer (GET /logbook/v1/replication/snapshot,
// docs/replication.md) and checks it before anyone installs or merges it:
// the headers, the body's checksum and framing (snapshot_wire.h), and the
// snapshot value itself through `validate` (storage's codec, handed in by
// app/, since net/ never includes storage/).
//
// Thread: the caller's (blocking; the client's wake fd interrupts it).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/ids.h"
#include "net/replication/peer_http_client.h"
#include "net/replication/snapshot_wire.h"

namespace logbook::net::replication {

// OK when `snapshot` is a valid snapshot value for `offset`.
using SnapshotValidator =
    std::function<absl::Status(std::string_view snapshot, core::Offset offset)>;

struct FetchedSnapshot {
  core::NodeId node_id;      // the peer that served it
  std::string log_identity;  // its log identity
  SnapshotTransfer transfer;  // validated
};

// nullopt when the peer has nothing to give: its log is empty, or it is
// bootstrapping itself. Unavailable when it cannot be reached (connect or
// I/O failure, timeout); Aborted when it answered an HTTP error (busy, export
// failed: ask again later); DataLoss / InvalidArgument when the answer is
// damaged or breaks the protocol: such an answer is never used;
// FailedPrecondition when the URL turns out to be this node itself.
absl::StatusOr<std::optional<FetchedSnapshot>> FetchSnapshot(PeerHttpClient& client,
                                                             const core::NodeId& self,
                                                             const SnapshotValidator& validate,
                                                             std::int64_t read_timeout_ms);

}  // namespace logbook::net::replication
