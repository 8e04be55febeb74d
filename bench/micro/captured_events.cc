#include "bench/micro/captured_events.h"

#include <cstdio>
#include <cstdlib>
#include <map>

#include "bench/micro/http_requests.h"
#include "bench/micro/in_process_node.h"
#include "bench/micro/seeded_nodes.h"

namespace logbook::bench {

namespace {

void ExpectOneEventEach(const std::vector<core::Event>& events, long instances, const char* what) {
  if (static_cast<long>(events.size()) == instances) return;
  std::fprintf(stderr, "captured_events: %ld %s gave %zu events\n", instances, what, events.size());
  std::abort();
}

}  // namespace

const CapturedEvents& CaptureEventsFor(long instances) {
  static auto* const captured = new std::map<long, CapturedEvents>();
  auto found = captured->find(instances);
  if (found != captured->end()) return found->second;

  CapturedEvents& events = (*captured)[instances];
  const long apps = BenchApps(instances);
  InProcessNode node;
  node.CaptureEvents(&events.registers);
  node.RegisterBenchInstances(0, instances, apps);
  node.CaptureEvents(&events.renews);
  node.RenewBenchInstances(0, instances, apps);
  node.CaptureEvents(&events.cancels);
  for (long k = 0; k < instances; ++k) {
    node.Exchange(CancelRequestBytes(k, apps));
    if (node.last_status() != 200) {
      std::fprintf(stderr, "captured_events: a cancellation answered %d\n", node.last_status());
      std::abort();
    }
  }
  node.CaptureEvents(nullptr);
  ExpectOneEventEach(events.registers, instances, "registrations");
  ExpectOneEventEach(events.renews, instances, "renewals");
  ExpectOneEventEach(events.cancels, instances, "cancellations");
  return events;
}

}  // namespace logbook::bench
