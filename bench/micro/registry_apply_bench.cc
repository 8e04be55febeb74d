// core's Registry::Apply of the events the node logs for register, renew
// and cancel, into a registry of 10,000 instances (the only mutation path:
// the write pipeline, recovery and replication all go through it).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bench/micro/captured_events.h"
#include "core/registry.h"

namespace logbook::bench {
namespace {

constexpr long kInstances = 10000;

// Offsets must grow from one Apply to the next, whatever event is replayed.
class Applier {
 public:
  Applier() : registry_(std::make_unique<core::Registry>()) {}
  void Apply(core::Event& event) {
    event.offset = ++offset_;
    registry_->Apply(event);
  }
  void ApplyAll(std::vector<core::Event>& events) {
    for (core::Event& event : events) Apply(event);
  }
  void Reset() {
    registry_ = std::make_unique<core::Registry>();
    offset_ = 0;
  }
  const core::Registry& registry() const { return *registry_; }

 private:
  std::unique_ptr<core::Registry> registry_;
  core::Offset offset_ = 0;
};

// Copies: Apply() takes const events, but the benchmarks renumber them.
CapturedEvents Events() { return CaptureEventsFor(kInstances); }

void BM_ApplyRegister(benchmark::State& state) {
  CapturedEvents events = Events();
  Applier applier;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == events.registers.size()) {
      state.PauseTiming();
      applier.Reset();
      next = 0;
      state.ResumeTiming();
    }
    applier.Apply(events.registers[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ApplyRenew(benchmark::State& state) {
  CapturedEvents events = Events();
  Applier applier;
  applier.ApplyAll(events.registers);
  std::size_t next = 0;
  for (auto _ : state) {
    applier.Apply(events.renews[next]);
    if (++next == events.renews.size()) next = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ApplyCancel(benchmark::State& state) {
  CapturedEvents events = Events();
  Applier applier;
  applier.ApplyAll(events.registers);
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == events.cancels.size()) {
      state.PauseTiming();
      applier.Reset();
      applier.ApplyAll(events.registers);
      next = 0;
      state.ResumeTiming();
    }
    applier.Apply(events.cancels[next++]);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ApplyRegister);
BENCHMARK(BM_ApplyRenew);
BENCHMARK(BM_ApplyCancel);

}  // namespace
}  // namespace logbook::bench
