// net/eureka's readers on a registration body (E1): simdjson for JSON,
// expat for XML. The XML body is what the node itself writes for the same
// instance, so both formats carry the same fields.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "bench/bench_instances.h"
#include "bench/micro/http_requests.h"
#include "bench/micro/in_process_node.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"

namespace logbook::bench {
namespace {

std::string JsonBody() {
  return BenchRegistrationJson(BenchAppName("BENCH", 1, 7), BenchInstanceId("i", 7),
                               BenchIpAddress(7));
}

std::string XmlBody() {
  InProcessNode node;
  node.RegisterBenchInstances(7, 1, 1);
  node.Exchange(GetRequestBytes("/eureka/apps/BENCH-0000/i-00000007", "application/xml", false));
  if (node.last_status() != 200 || node.last_body().find("<instance>") == std::string::npos) {
    std::abort();
  }
  return node.last_body();
}

void BM_ParseRegistrationJson(benchmark::State& state) {
  const std::string body = JsonBody();
  for (auto _ : state) {
    absl::StatusOr<core::InstanceInfo> info = net::eureka::ReadInstanceJson(body, kBenchStartMs);
    if (!info.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

void BM_ParseRegistrationXml(benchmark::State& state) {
  const std::string body = XmlBody();
  for (auto _ : state) {
    absl::StatusOr<core::InstanceInfo> info = net::eureka::ReadInstanceXml(body, kBenchStartMs);
    if (!info.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}

BENCHMARK(BM_ParseRegistrationJson);
BENCHMARK(BM_ParseRegistrationXml);

}  // namespace
}  // namespace logbook::bench
