#pragma once
// Registries of realistic size for the benchmarks, built once per size
// through the node's own request path and kept for the whole run (building
// 100,000 instances takes seconds; every benchmark of that size shares it).
#include "bench/micro/in_process_node.h"

namespace logbook::bench {

// 50 instances per app: 10,000 instances in 200 apps, issue 6's fetch setup.
long BenchApps(long instances);

// A node holding `instances` bench instances (bench_instances.h): registered,
// then the clock moved past the delta window (eureka.server.retention-time-
// in-ms-in-delta-queue) and every instance renewed, so every lease is live
// and the delta window starts empty. Benchmarks may change it; each says how.
InProcessNode& SeededNode(long instances);

}  // namespace logbook::bench
