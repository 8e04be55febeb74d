#pragma once
// The status override rule chain (eureka-protocol.md §4.4).
#include <optional>

#include "core/instance.h"

namespace logbook::core {

// instance_status: the status of the instance being evaluated (the registrant
// on register, the stored copy on renew). existing_status: the status of the
// existing lease's holder, if a lease exists.
InstanceStatus EffectiveStatus(InstanceStatus instance_status,
                               std::optional<InstanceStatus> override_status,
                               std::optional<InstanceStatus> existing_status,
                               bool is_replication);

}  // namespace logbook::core
