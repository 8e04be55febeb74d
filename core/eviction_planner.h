#pragma once
// The eviction decision (eureka-protocol.md §6.3 with Part A's one-duration
// expiry and restart grace): which instances to evict now, as EVICT events.
#include <cstdint>
#include <vector>

#include "core/event.h"
#include "core/registry.h"
#include "core/self_preservation.h"

namespace logbook::core {

struct EvictionInput {
  TimestampMs now_ms = 0;
  // max(0, time since the previous run - interval); absorbs timer drift.
  std::int64_t compensation_ms = 0;
  // Restart grace: no instance is evicted before grace_start_ms + its own
  // lease duration (the moment the node became ready after recovery).
  TimestampMs grace_start_ms = 0;
  std::uint64_t seed = 0;  // the random choice among expired leases
};

// Empty when lease expiration is disabled (self-preservation) or nothing expired.
std::vector<Event> PlanEvictions(const Registry& registry, const EvictionInput& input,
                                 const SelfPreservationOptions& options);

}  // namespace logbook::core
