#pragma once
// What GET /logbook/v1/status shows per peer (docs/replication.md,
// "Visibility"). A plain value copied out of a puller under its lock.
#include <cstdint>
#include <string>

#include "core/ids.h"

namespace logbook::net::replication {

struct PeerStatus {
  std::string url;
  std::string node_id;       // "" until the peer answered once
  std::string log_identity;  // the peer's, as last seen
  core::Offset cursor = 1;   // next offset of the peer's log to pull
  core::Offset peer_durable_offset = 0;
  // Peer offsets not yet pulled, up to the durable end the peer's last
  // answer scanned to: 0 when we hold all the peer's own events.
  std::uint64_t lag_events = 0;
  std::int64_t lag_ms = 0;       // since the puller was last caught up; 0 when it is
  // connecting, streaming, waiting, backoff, merging_snapshot, needs_snapshot, stopped
  std::string state;
  std::string last_error;
  std::uint64_t batches = 0;
  std::uint64_t events = 0;       // pulled and appended here
  std::uint64_t bytes = 0;        // answer bodies received (200s)
  std::uint64_t errors = 0;       // failed pulls (each retry counts)
  std::int64_t last_error_unix_ms = 0;  // wall clock of the last failure; 0 = none
  std::uint64_t snapshots_merged = 0;   // snapshot transfers merged (docs/replication.md)
  bool caught_up_once = false;
};

}  // namespace logbook::net::replication
