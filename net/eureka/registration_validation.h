#pragma once
// E1 step 2: validation of a parsed registration, first failure wins, plus
// the fix-ups Eureka applies (Amazon instance-id, Spring metadata.instanceId).
#include <optional>
#include <string>
#include <string_view>

#include "core/instance.h"

namespace logbook::net::eureka {

// Returns the 400 reason ("Missing instanceId", "Mismatched appName, expecting
// X but was Y", ...) or nullopt when valid. Also rejects ids, app names and
// VIPs that contain control characters or invalid UTF-8. Mutates `instance`
// only for Eureka's documented fix-ups.
std::optional<std::string> ValidateRegistration(core::InstanceInfo& instance,
                                                std::string_view path_app);

}  // namespace logbook::net::eureka
