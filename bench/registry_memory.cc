// Heap bytes per instance of the registry alone (records, maps, indexes), the
// "records" share of a node's RSS per instance (bench/restart_scale.sh gives
// the whole). Registers --instances instances shaped like seed_instances'
// (hostname, three URLs, VIP and secure VIP, one metadata entry) through
// core's Decide/Apply and reports glibc's heap in use before and after.
//
// usage: build/bench/registry_memory [--instances N] [--apps N]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/decide.h"
#include "core/registry.h"

namespace {

using logbook::core::TimestampMs;

std::size_t HeapInUse() { return mallinfo2().uordblks; }

logbook::core::InstanceInfo Registrant(long k, long apps, TimestampMs now) {
  char app[32];
  char id[32];
  char ip[32];
  std::snprintf(app, sizeof app, "BENCH-%04ld", k % apps);
  std::snprintf(id, sizeof id, "i-%08ld", k);
  std::snprintf(ip, sizeof ip, "10.%ld.%ld.%ld", (k >> 16) & 255, (k >> 8) & 255, k & 255);
  const std::string url = std::string("http://") + ip + ":8080/";
  logbook::core::InstanceInfo info;
  info.instance_id = id;
  info.host_name = std::string(id) + ".bench.local";
  info.app = app;
  info.ip_addr = ip;
  info.vip_address = app;
  info.secure_vip_address = app;
  info.home_page_url = url;
  info.status_page_url = url + "actuator/info";
  info.health_check_url = url + "actuator/health";
  info.metadata = {{"zone", "bench"}};
  info.last_updated_timestamp = now;
  info.last_dirty_timestamp = now;
  return info;
}

}  // namespace

int main(int argc, char** argv) {
  long instances = 100000;
  long apps = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--instances") == 0) instances = std::atol(argv[i + 1]);
    else if (std::strcmp(argv[i], "--apps") == 0) apps = std::atol(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: registry_memory [--instances N] [--apps N]\n");
      return 2;
    }
  }
  if (instances <= 0 || apps <= 0) {
    std::fprintf(stderr, "registry_memory: --instances and --apps must be positive\n");
    return 2;
  }
  const TimestampMs now = 1700000000000;
  auto registry = std::make_unique<logbook::core::Registry>();
  const std::size_t before = HeapInUse();
  const auto started = std::chrono::steady_clock::now();
  logbook::core::Offset offset = 0;
  logbook::core::DecideContext context;
  context.now_ms = now;
  for (long k = 0; k < instances; ++k) {
    logbook::core::Decision decision = logbook::core::DecideRegister(
        *registry, logbook::core::RegisterCommand{Registrant(k, apps, now), false}, context);
    for (logbook::core::Event& event : decision.events) {
      event.offset = ++offset;
      registry->Apply(event);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::size_t after = HeapInUse();
  std::printf("instances=%ld apps=%ld registry_heap_bytes=%zu bytes_per_instance=%.0f "
              "registrations_per_s=%.0f\n",
              instances, apps, after - before,
              static_cast<double>(after - before) / static_cast<double>(instances),
              static_cast<double>(instances) / seconds);
  return 0;
}
