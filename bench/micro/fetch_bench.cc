// Full and delta fetches (E7, E8) through the node's handler, exactly as a
// client's GET reaches it: content negotiation, the response cache, the
// registry views and the writers, gzip, the response head. Whatever the
// fetch path does inside (today: the whole document per registry version;
// later, per-instance fragments) is what gets timed.
//
// - FullFetchAfterChange: one instance's status changes (E4, not timed)
//   before every fetch, so each fetch sees a new registry version: the cost
//   of rebuilding the document after a write.
// - FullFetchCached: the same version again: the cost of a cache hit.
// - DeltaFetch: 1,000 instances changed in the delta window.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <string_view>

#include "bench/micro/http_requests.h"
#include "bench/micro/seeded_nodes.h"
#include "core/apps_hashcode.h"

namespace logbook::bench {
namespace {

constexpr long kDeltaChanges = 1000;

struct Format {
  std::string_view accept;
  bool gzip;
  bool compact = false;  // X-Eureka-Accept: compact
};
constexpr Format kJson{"application/json", false};
constexpr Format kJsonGzip{"application/json", true};
constexpr Format kXml{"application/xml", false};
constexpr Format kXmlGzip{"application/xml", true};
constexpr Format kJsonCompact{"application/json", false, true};
constexpr Format kXmlCompact{"application/xml", false, true};

void Report(benchmark::State& state, const InProcessNode& node, long instances) {
  state.SetItemsProcessed(state.iterations() * instances);  // instances served
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(node.last_response_bytes()));
  state.counters["response_bytes"] = static_cast<double>(node.last_response_bytes());
}

void Fetch(benchmark::State& state, InProcessNode& node, const std::string& request) {
  node.Exchange(request);
  if (node.last_status() != 200) state.SkipWithError("fetch did not answer 200");
}

void BM_FullFetchAfterChange(benchmark::State& state, Format format) {
  const long instances = state.range(0);
  InProcessNode& node = SeededNode(instances);
  const long apps = BenchApps(instances);
  const std::string fetch =
      GetRequestBytes("/eureka/apps", format.accept, format.gzip, format.compact);
  const std::string down = StatusRequestBytes(0, apps, "OUT_OF_SERVICE");
  const std::string up = StatusRequestBytes(0, apps, "UP");
  bool toggle = false;
  for (auto _ : state) {
    state.PauseTiming();
    node.Exchange((toggle = !toggle) ? down : up);
    if (node.last_status() != 200) state.SkipWithError("status change failed");
    state.ResumeTiming();
    Fetch(state, node, fetch);
  }
  Report(state, node, instances);
}

void BM_FullFetchCached(benchmark::State& state, Format format) {
  const long instances = state.range(0);
  InProcessNode& node = SeededNode(instances);
  const std::string fetch = GetRequestBytes("/eureka/apps", format.accept, format.gzip);
  Fetch(state, node, fetch);
  for (auto _ : state) Fetch(state, node, fetch);
  Report(state, node, instances);
}

// Instances 1..kDeltaChanges go OUT_OF_SERVICE once per node (instance 0 is
// FullFetchAfterChange's), so the window holds about kDeltaChanges entries
// whatever ran before.
void ChangeForDelta(benchmark::State& state, InProcessNode& node, long instances) {
  static std::map<const InProcessNode*, bool>* const changed =
      new std::map<const InProcessNode*, bool>();
  if ((*changed)[&node]) return;
  (*changed)[&node] = true;
  for (long k = 1; k <= kDeltaChanges && k < instances; ++k) {
    node.Exchange(StatusRequestBytes(k, BenchApps(instances), "OUT_OF_SERVICE"));
    if (node.last_status() != 200) state.SkipWithError("status change failed");
  }
}

void BM_DeltaFetch(benchmark::State& state, Format format) {
  const long instances = state.range(0);
  InProcessNode& node = SeededNode(instances);
  ChangeForDelta(state, node, instances);
  const std::string fetch = GetRequestBytes("/eureka/apps/delta", format.accept, format.gzip);
  for (auto _ : state) Fetch(state, node, fetch);
  state.SetItemsProcessed(state.iterations() * kDeltaChanges);  // changes served
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(node.last_response_bytes()));
  state.counters["response_bytes"] = static_cast<double>(node.last_response_bytes());
}

// apps__hashcode (§5.3) from the registry's status counts, as every full and
// delta document computes it.
void BM_AppsHashcode(benchmark::State& state) {
  const core::Registry& registry = SeededNode(state.range(0)).registry();
  for (auto _ : state) {
    std::string hashcode = core::AppsHashcode(registry.status_counts());
    benchmark::DoNotOptimize(hashcode);
  }
  state.SetItemsProcessed(state.iterations());
}

void Sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(BM_FullFetchAfterChange, json, kJson)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchAfterChange, json_gzip, kJsonGzip)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchAfterChange, xml, kXml)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchAfterChange, xml_gzip, kXmlGzip)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchAfterChange, json_compact, kJsonCompact)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchAfterChange, xml_compact, kXmlCompact)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchCached, json_gzip, kJsonGzip)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_FullFetchCached, xml_gzip, kXmlGzip)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DeltaFetch, json, kJson)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DeltaFetch, json_gzip, kJsonGzip)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DeltaFetch, xml, kXml)->Apply(Sizes);
BENCHMARK(BM_AppsHashcode)->Arg(10000);

}  // namespace
}  // namespace logbook::bench
