#pragma once
// Scalar vocabulary shared by every module. Units live in the names.
#include <cstdint>
#include <string>

namespace logbook::core {

// Position of an event in a node's log. Offsets start at 1 and are dense;
// 0 means "no event" (an empty log has last offset 0).
using Offset = std::uint64_t;
inline constexpr Offset kNoOffset = 0;

// Milliseconds since the Unix epoch (Eureka's unit on the wire).
using TimestampMs = std::int64_t;

// A node's name in replication and audit (stable across restarts).
using NodeId = std::string;

}  // namespace logbook::core
