#pragma once
// How far this node has pulled a peer's log (docs/replication.md).
//
// A cursor names the peer's log identity, not just its node id: an offset
// alone cannot tell a live history from a wiped and restarted one (the redis
// replication-id rule, STYLE.md). It is stored in the same WriteBatch as the
// events it covers, so "applied" and "cursor moved" are one atomic fact.
#include <string>

#include "core/ids.h"

namespace logbook::core {

struct PeerCursor {
  NodeId peer_node_id;
  std::string peer_log_identity;
  // The next offset of the peer's log to ask for: every event the peer
  // originated below it has been appended here.
  Offset next_offset = 1;
  bool operator==(const PeerCursor&) const = default;
};

}  // namespace logbook::core
