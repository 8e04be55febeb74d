#pragma once
// Self-preservation read from the registry (eureka-protocol.md §6.1, §6.2):
// the arithmetic of self_preservation.h applied to the counters the registry
// rebuilt from events, so a restarted node resumes with the same state.
#include <optional>

#include "core/event.h"
#include "core/registry.h"
#include "core/self_preservation.h"

namespace logbook::core {

// §6.1 at now_ms: what DecideContext::lease_expiration_enabled, the evictor and
// the dashboard's "Lease expiration enabled" should say.
bool LeaseExpirationEnabled(const Registry& registry, TimestampMs now_ms,
                            const SelfPreservationOptions& options);

// §6.2 periodic update, for a timer every renewal-threshold-update-interval-ms:
// a RENEWAL_THRESHOLD_UPDATE event (source kSystem, timestamp now_ms) when the
// recomputed expected count differs from registry.expected_clients(), else
// nullopt. The count is the registry's UP instances, which is what Eureka's
// embedded client view (UP only by default) holds.
std::optional<Event> DecideRenewalThresholdUpdate(const Registry& registry, TimestampMs now_ms,
                                                  const SelfPreservationOptions& options);

}  // namespace logbook::core
