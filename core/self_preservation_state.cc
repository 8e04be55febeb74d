#include "core/self_preservation_state.h"

namespace logbook::core {

bool LeaseExpirationEnabled(const Registry& registry, TimestampMs now_ms,
                            const SelfPreservationOptions& options) {
  return IsLeaseExpirationEnabled(registry.RenewsLastMinute(now_ms),
                                  RenewsPerMinuteThreshold(registry.expected_clients(), options),
                                  options);
}

std::optional<Event> DecideRenewalThresholdUpdate(const Registry& registry, TimestampMs now_ms,
                                                  const SelfPreservationOptions& options) {
  const std::int64_t up_instances =
      registry.status_counts()[static_cast<std::size_t>(InstanceStatus::kUp)];
  const std::int64_t expected =
      UpdatedExpectedClients(registry.expected_clients(), up_instances, options);
  // No event for "no change": the log would otherwise grow by one event per
  // interval forever on an idle registry.
  if (expected == registry.expected_clients()) return std::nullopt;
  Event event;
  event.type = EventType::kRenewalThresholdUpdate;
  event.timestamp_ms = now_ms;
  event.source = EventSource::kSystem;
  event.expected_clients = expected;
  return event;
}

}  // namespace logbook::core
