// A renewal end to end in one process: request bytes -> parser -> router ->
// E2 handler (decide) -> write pipeline -> journal (the event encoded with
// the log's codec; no RocksDB, no sync) -> apply -> durable -> response
// head. What the loop thread spends per renewal, minus the socket and the
// writer thread's WriteBatch and fsync. Round-robin over 10,000 instances.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/micro/http_requests.h"
#include "bench/micro/seeded_nodes.h"

namespace logbook::bench {
namespace {

void BM_RenewRequest(benchmark::State& state) {
  const long instances = state.range(0);
  InProcessNode& node = SeededNode(instances);
  std::vector<std::string> requests;
  requests.reserve(static_cast<std::size_t>(instances));
  for (long k = 0; k < instances; ++k) {
    requests.push_back(RenewRequestBytes(k, BenchApps(instances)));
  }
  std::size_t next = 0;
  std::int64_t request_bytes = 0;
  for (auto _ : state) {
    node.Exchange(requests[next]);
    if (node.last_status() != 200) state.SkipWithError("renewal did not answer 200");
    request_bytes += static_cast<std::int64_t>(requests[next].size());
    if (++next == requests.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(request_bytes);
}

BENCHMARK(BM_RenewRequest)->Arg(10000);

}  // namespace
}  // namespace logbook::bench
