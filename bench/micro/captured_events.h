#pragma once
// Events exactly as the node logs them, captured from its own request path
// (register, renew, cancel of the same instances), for the benchmarks of
// the event codec and of Registry::Apply.
#include <vector>

#include "core/event.h"

namespace logbook::bench {

struct CapturedEvents {
  std::vector<core::Event> registers;
  std::vector<core::Event> renews;
  std::vector<core::Event> cancels;
};

// For `instances` bench instances; built once per size.
const CapturedEvents& CaptureEventsFor(long instances);

}  // namespace logbook::bench
