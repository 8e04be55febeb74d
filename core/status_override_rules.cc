#include "core/status_override_rules.h"

namespace logbook::core {

InstanceStatus EffectiveStatus(InstanceStatus instance_status,
                               std::optional<InstanceStatus> override_status,
                               std::optional<InstanceStatus> existing_status, bool is_replication) {
  // Rule 1 (DownOrStarting): a client that says it is not healthy is trusted
  // over any server-side state, including an admin override.
  if (instance_status != InstanceStatus::kUp && instance_status != InstanceStatus::kOutOfService) {
    return instance_status;
  }
  // Rule 2 (OverrideExists).
  if (override_status.has_value()) return *override_status;
  // Rule 3 (LeaseExists): a restarting client must not flip a server-held UP /
  // OUT_OF_SERVICE. Replications skip it: the peer's copy already went through
  // the chain on the node that took the client's request.
  if (!is_replication && existing_status.has_value() &&
      (*existing_status == InstanceStatus::kUp ||
       *existing_status == InstanceStatus::kOutOfService)) {
    return *existing_status;
  }
  // Rule 4 (AlwaysMatch).
  return instance_status;
}

}  // namespace logbook::core
