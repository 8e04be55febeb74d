// Heap bytes per instance of what a warm full fetch keeps, split by owner:
// the registry's records, then for JSON and XML in turn the instances'
// fragments with the document's parts and plain body, then the gzip body's
// deflated pieces and the gzip body itself. The node's RSS per instance
// (bench/scaling.sh) is these plus RocksDB and the allocator's slack; this tool measures the fetch path's share
// exactly and without a socket, so it does not depend on the machine's load.
//
// The instances are bench/bench_instances.h's registrations, parsed by the
// node's own reader, registered through core's Decide/Apply, 50 per app.
//
// usage: build/bench/fetch_memory [--instances N] [--apps N]
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "bench/bench_instances.h"
#include "core/decide.h"
#include "core/registry.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/fragment_cache.h"
#include "net/eureka/fragment_documents.h"
#include "net/eureka/gzip.h"
#include "net/eureka/registry_views.h"
#include "net/shared_body.h"

namespace {

namespace core = logbook::core;
namespace eureka = logbook::net::eureka;

// Heap in use: small chunks in every arena plus mmapped big ones.
std::size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

double PerInstance(std::size_t bytes, long instances) {
  return static_cast<double>(bytes) / static_cast<double>(instances);
}

// What one format's warm full fetch holds, plain and gzip.
struct FormatShare {
  eureka::DocumentParts parts;
  logbook::net::SharedBody plain;
  eureka::DeflatedParts deflated;
  std::string gzip;
};

void Measure(const char* name, eureka::WireFormat format, const core::Registry& registry,
             eureka::FragmentCache& fragments, FormatShare& share, long instances) {
  const std::size_t before = HeapInUse();
  share.parts =
      eureka::ApplicationsParts(eureka::FullRegistryDocument(registry), format,
                                eureka::PayloadFlavour::kFull, fragments, eureka::PartReuse());
  share.plain = eureka::PlainBody(share.parts);
  const std::size_t plain = HeapInUse();
  eureka::PieceDeflater deflater;
  const std::size_t with_deflater = HeapInUse();
  share.gzip = share.deflated.Gzip(share.parts, deflater);
  share.gzip.shrink_to_fit();
  const std::size_t gzip = HeapInUse();
  std::printf(
      "%s: plain_bytes=%zu slices_per_instance=%.1f fragments_and_parts_per_instance=%.0f "
      "gzip_bytes=%zu deflated_pieces_per_instance=%.0f gzip_body_per_instance=%.0f\n",
      name, share.plain.size(), PerInstance(share.plain.slice_count(), instances),
      PerInstance(plain - before, instances), share.gzip.size(),
      PerInstance(share.deflated.bytes(), instances),
      PerInstance(gzip - with_deflater - share.deflated.bytes(), instances));
}

}  // namespace

int main(int argc, char** argv) {
  long instances = 100000;
  long apps = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--instances") == 0) {
      instances = std::atol(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--apps") == 0) {
      apps = std::atol(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: fetch_memory [--instances N] [--apps N]\n");
      return 2;
    }
  }
  if (apps == 0) apps = instances >= 100 ? instances / 50 : 1;
  if (instances <= 0 || apps <= 0) {
    std::fprintf(stderr, "fetch_memory: --instances and --apps must be positive\n");
    return 2;
  }
  const core::TimestampMs now = 1700000000000;
  auto registry = std::make_unique<core::Registry>();
  const std::size_t empty = HeapInUse();
  core::Offset offset = 0;
  core::DecideContext context;
  for (long k = 0; k < instances; ++k) {
    context.now_ms = now + k;  // registrations a millisecond apart, as a storm of them
    absl::StatusOr<core::InstanceInfo> info = eureka::ReadInstanceJson(
        logbook::bench::BenchRegistrationJson(logbook::bench::BenchAppName("BENCH", apps, k),
                                              logbook::bench::BenchInstanceId("i", k),
                                              logbook::bench::BenchIpAddress(k)),
        context.now_ms);
    if (!info.ok()) {
      std::fprintf(stderr, "fetch_memory: %s\n", info.status().ToString().c_str());
      return 1;
    }
    core::Decision decision =
        core::DecideRegister(*registry, core::RegisterCommand{*std::move(info), false}, context);
    for (core::Event& event : decision.events) {
      event.offset = ++offset;
      registry->Apply(event);
    }
  }
  const std::size_t records = HeapInUse() - empty;
  std::printf("instances=%ld apps=%ld records_per_instance=%.0f (delta window included)\n",
              instances, apps, PerInstance(records, instances));

  eureka::FragmentCache fragments;
  FormatShare json;
  FormatShare xml;
  const std::size_t before = HeapInUse();
  Measure("json", eureka::WireFormat::kJson, *registry, fragments, json, instances);
  Measure("xml", eureka::WireFormat::kXml, *registry, fragments, xml, instances);
  const std::size_t warm = HeapInUse() - before;
  std::printf("fragment_templates=%zu fetch_path_per_instance=%.0f total_per_instance=%.0f\n",
              fragments.templates(), PerInstance(warm, instances),
              PerInstance(records + warm, instances));
  return 0;
}
