#include "core/apps_hashcode.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace logbook::core {
namespace {

// §5.3 orders by status *name*, not enum value (Eureka uses a sorted map keyed
// by the name string): DOWN < OUT_OF_SERVICE < STARTING < UNKNOWN < UP.
// apps_hashcode_test checks this order against StatusName().
constexpr std::array<InstanceStatus, 5> kStatusesByName = {
    InstanceStatus::kDown, InstanceStatus::kOutOfService, InstanceStatus::kStarting,
    InstanceStatus::kUnknown, InstanceStatus::kUp};

}  // namespace

std::string AppsHashcode(const StatusCounts& counts) {
  std::string hash;
  for (InstanceStatus status : kStatusesByName) {
    const std::int64_t count = counts[static_cast<std::size_t>(status)];
    if (count == 0) continue;
    hash.append(StatusName(status));
    absl::StrAppend(&hash, "_", count, "_");
  }
  return hash;
}

}  // namespace logbook::core
