#include "core/event.h"

#include <array>

namespace logbook::core {
namespace {

// Indexed by EventType's value; index 0 is unused.
constexpr std::array<std::string_view, 10> kEventTypeNames = {
    "",       "REGISTER",      "RENEW",
    "CANCEL", "EVICT",         "STATUS_UPDATE",
    "DELETE_STATUS_OVERRIDE",  "METADATA_UPDATE",
    "RENEWAL_THRESHOLD_UPDATE", "INSTANCE_SET"};

}  // namespace

std::string_view EventTypeName(EventType type) {
  const auto index = static_cast<std::size_t>(type);
  return index < kEventTypeNames.size() ? kEventTypeNames[index] : std::string_view("UNKNOWN");
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (std::size_t i = 1; i < kEventTypeNames.size(); ++i) {
    if (kEventTypeNames[i] == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

}  // namespace logbook::core
