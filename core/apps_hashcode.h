#pragma once
// apps__hashcode, the reconcile hash of eureka-protocol.md §5.3.
#include <string>

#include "core/registry.h"

namespace logbook::core {

// "DOWN_1_UP_3_": statuses in lexicographic name order, zero counts skipped.
std::string AppsHashcode(const StatusCounts& counts);

}  // namespace logbook::core
