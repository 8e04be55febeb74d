// The full registry document rebuilt after one change, two ways on the same
// registry in the same run: encoded from scratch (what the fetch path did
// for XML before it had fragments) and as parts over per-instance fragments
// with the previous version's unchanged parts reused (what it does now: one
// fragment re-encoded, one application part new, nothing copied). Below the
// handler, so the difference is the document alone (no response cache, no
// gzip); BM_FullFetchAfterChange measures the whole fetch.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/micro/http_requests.h"
#include "bench/micro/seeded_nodes.h"
#include "net/eureka/content_negotiation.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/fragment_cache.h"
#include "net/eureka/fragment_documents.h"
#include "net/eureka/registry_views.h"

namespace logbook::bench {
namespace {

namespace eureka = net::eureka;

enum class Build { kFromScratch, kAssembled };

// The document's size; `previous` holds the last assembled version's parts.
std::size_t Document(const core::Registry& registry, eureka::WireFormat format, Build build,
                     eureka::FragmentCache& fragments, eureka::DocumentParts& previous) {
  const eureka::ApplicationsDocument document = eureka::FullRegistryDocument(registry);
  if (build == Build::kFromScratch) {
    const std::string encoded = format == eureka::WireFormat::kJson
                                    ? eureka::WriteApplicationsJson(document)
                                    : eureka::WriteApplicationsXml(document);
    return encoded.size();
  }
  previous = eureka::ApplicationsParts(document, format, eureka::PayloadFlavour::kFull, fragments,
                                       eureka::PartReuse(previous));
  return eureka::PlainBody(previous).size();
}

void BM_DocumentAfterChange(benchmark::State& state, eureka::WireFormat format, Build build) {
  const long instances = state.range(0);
  InProcessNode& node = SeededNode(instances);
  const long apps = BenchApps(instances);
  // Instance 0 toggles, as in BM_FullFetchAfterChange.
  const std::string down = StatusRequestBytes(0, apps, "OUT_OF_SERVICE");
  const std::string up = StatusRequestBytes(0, apps, "UP");
  eureka::FragmentCache fragments;
  eureka::DocumentParts previous;
  std::size_t bytes = Document(node.registry(), format, build, fragments, previous);
  bool toggle = false;
  for (auto _ : state) {
    state.PauseTiming();
    node.Exchange((toggle = !toggle) ? down : up);
    if (node.last_status() != 200) state.SkipWithError("status change failed");
    state.ResumeTiming();
    bytes = Document(node.registry(), format, build, fragments, previous);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * instances);
  state.counters["document_bytes"] = static_cast<double>(bytes);
}

void Sizes(benchmark::internal::Benchmark* benchmark) {
  benchmark->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);
}

BENCHMARK_CAPTURE(BM_DocumentAfterChange, xml_from_scratch, eureka::WireFormat::kXml,
                  Build::kFromScratch)
    ->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DocumentAfterChange, xml_assembled, eureka::WireFormat::kXml,
                  Build::kAssembled)
    ->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DocumentAfterChange, json_from_scratch, eureka::WireFormat::kJson,
                  Build::kFromScratch)
    ->Apply(Sizes);
BENCHMARK_CAPTURE(BM_DocumentAfterChange, json_assembled, eureka::WireFormat::kJson,
                  Build::kAssembled)
    ->Apply(Sizes);

}  // namespace
}  // namespace logbook::bench
