#include "bench/micro/seeded_nodes.h"

#include <map>
#include <memory>

namespace logbook::bench {

long BenchApps(long instances) { return instances >= 100 ? instances / 50 : 1; }

InProcessNode& SeededNode(long instances) {
  static auto* const nodes = new std::map<long, std::unique_ptr<InProcessNode>>();
  std::unique_ptr<InProcessNode>& node = (*nodes)[instances];
  if (node == nullptr) {
    node = std::make_unique<InProcessNode>();
    const long apps = BenchApps(instances);
    node->RegisterBenchInstances(0, instances, apps);
    node->clock().Advance(node->registry().options().delta_retention_ms + 1000);
    node->RenewBenchInstances(0, instances, apps);
  }
  return *node;
}

}  // namespace logbook::bench
