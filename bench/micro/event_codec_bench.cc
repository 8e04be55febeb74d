// storage's event codec (docs/log-format.md): what the writer encodes per
// event and what recovery and replication decode.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench/micro/captured_events.h"
#include "storage/event_codec.h"

namespace logbook::bench {
namespace {

constexpr long kInstances = 1000;

const core::Event& Pick(std::string_view type) {
  const CapturedEvents& events = CaptureEventsFor(kInstances);
  if (type == "register") return events.registers.front();
  if (type == "renew") return events.renews.front();
  return events.cancels.front();
}

void BM_EncodeEvent(benchmark::State& state, std::string_view type) {
  const core::Event& event = Pick(type);
  std::string bytes;
  for (auto _ : state) {
    bytes.clear();
    storage::EncodeEvent(event, &bytes);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  state.counters["event_bytes"] = static_cast<double>(bytes.size());
}

void BM_DecodeEvent(benchmark::State& state, std::string_view type) {
  const core::Event& event = Pick(type);
  std::string bytes;
  storage::EncodeEvent(event, &bytes);
  for (auto _ : state) {
    absl::StatusOr<core::Event> decoded = storage::DecodeEvent(bytes, event.offset);
    if (!decoded.ok()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
  state.counters["event_bytes"] = static_cast<double>(bytes.size());
}

BENCHMARK_CAPTURE(BM_EncodeEvent, register, "register");
BENCHMARK_CAPTURE(BM_EncodeEvent, renew, "renew");
BENCHMARK_CAPTURE(BM_EncodeEvent, cancel, "cancel");
BENCHMARK_CAPTURE(BM_DecodeEvent, register, "register");
BENCHMARK_CAPTURE(BM_DecodeEvent, renew, "renew");
BENCHMARK_CAPTURE(BM_DecodeEvent, cancel, "cancel");

}  // namespace
}  // namespace logbook::bench
