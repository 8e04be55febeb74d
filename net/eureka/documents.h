#pragma once
// What the Eureka writers render: views onto registry records, so building a
// document copies no instance.
#include <string>
#include <vector>

#include "core/instance.h"

namespace logbook::net::eureka {

struct InstanceView {
  const core::InstanceRecord* record = nullptr;
  core::ActionType action = core::ActionType::kAdded;  // shown as actionType
};

struct ApplicationView {
  std::string name;
  std::vector<InstanceView> instances;
};

// The `applications` document (§3.2 full registry, delta, VIP documents).
struct ApplicationsDocument {
  std::string versions_delta = "1";
  std::string apps_hashcode;
  std::vector<ApplicationView> applications;  // output order
};

}  // namespace logbook::net::eureka
