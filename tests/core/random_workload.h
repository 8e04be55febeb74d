#pragma once
// Seeded random workloads through Decide/Apply, for properties that need a
// realistic event history (snapshot + replay equals full replay). Mirrors the
// operation mix of replay_property_test.cc.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/decide.h"
#include "core/eviction_planner.h"
#include "core/self_preservation.h"
#include "core/self_preservation_state.h"
#include "tests/core/core_test_util.h"

namespace logbook::core::testing {

struct RandomWorkload {
  RegistryOptions options;
  std::vector<Event> events;  // offsets 1..n
  TimestampMs end_ms = 0;     // the clock after the last step
};

inline RandomWorkload MakeRandomWorkload(std::uint64_t seed, int steps) {
  std::mt19937_64 rng(seed);
  const auto below = [&rng](int bound) {
    return static_cast<int>(rng() % static_cast<std::uint64_t>(bound));
  };
  const auto chance = [&below](int percent) { return below(100) < percent; };
  const auto any_status = [&below] { return static_cast<InstanceStatus>(below(5)); };
  const auto app = [&below] {
    static constexpr std::array<const char*, 3> kApps = {"ORDERS", "BILLING", "orders"};
    return std::string(kApps[below(3)]);
  };
  const auto id = [&below] { return "i" + std::to_string(below(6)); };
  const auto dirty = [&](TimestampMs now_ms) -> std::optional<TimestampMs> {
    if (chance(30)) return std::nullopt;
    return now_ms - below(150000);
  };

  RandomWorkload out;
  out.options.initial_expected_clients = below(3);
  out.options.delta_retention_ms = chance(50) ? 180000 : 45000;
  SelfPreservationOptions self_preservation;
  self_preservation.enabled = chance(50);
  Harness a(out.options);
  TimestampMs now_ms = 1700000000000 + below(60000);
  const TimestampMs ready_ms = now_ms;
  for (int step = 0; step < steps; ++step) {
    now_ms += chance(10) ? 0 : below(40000);
    const Registry& registry = a.registry();
    DecideContext context;
    context.now_ms = now_ms;
    context.source = static_cast<EventSource>(below(4));
    context.lease_expiration_enabled = LeaseExpirationEnabled(registry, now_ms, self_preservation);
    const bool is_replication = chance(25);
    const int op = below(100);
    if (op < 22) {
      InstanceInfo info = MakeInstance(app(), id(), chance(60) ? InstanceStatus::kUp : any_status(),
                                       now_ms - below(120000));
      if (chance(10)) {
        info.host_name = *info.instance_id;
        info.instance_id.reset();
      }
      if (chance(20)) info.overridden_status = any_status();
      static constexpr std::array<std::int32_t, 4> kDurations = {0, 5, 30, 90};
      info.duration_secs = kDurations[below(4)];
      switch (below(4)) {
        case 0:
          info.vip_address.reset();
          break;
        case 1:
          info.vip_address = "v1,v2";
          break;
        case 2:
          info.vip_address = "v2";
          break;
        default:
          break;
      }
      if (chance(30)) info.secure_vip_address = "s1";
      if (chance(30)) info.metadata["zone"] = "z" + std::to_string(below(3));
      a.Commit(DecideRegister(registry, {std::move(info), is_replication}, context));
    } else if (op < 50) {
      std::optional<InstanceStatus> overridden;
      if (chance(30)) overridden = any_status();
      a.Commit(DecideRenew(registry, {app(), id(), dirty(now_ms), overridden, is_replication},
                           context));
    } else if (op < 58) {
      a.Commit(DecideCancel(registry, {app(), id(), is_replication}, context));
    } else if (op < 68) {
      a.Commit(DecideStatusUpdate(
          registry, {app(), id(), any_status(), dirty(now_ms), is_replication}, context));
    } else if (op < 76) {
      std::optional<InstanceStatus> value;
      if (chance(60)) value = any_status();
      a.Commit(DecideDeleteStatusOverride(
          registry, {app(), id(), value, dirty(now_ms), is_replication}, context));
    } else if (op < 84) {
      std::map<std::string, std::string> metadata;
      for (int i = below(3); i > 0; --i) {
        metadata["k" + std::to_string(below(4))] = std::to_string(rng() % 100);
      }
      a.Commit(DecideMetadataUpdate(registry, {app(), id(), metadata}, context));
    } else if (op < 95) {
      EvictionInput input;
      input.now_ms = now_ms;
      input.compensation_ms = chance(20) ? below(5000) : 0;
      input.grace_start_ms = chance(20) ? ready_ms : 0;
      input.seed = rng();
      for (const Event& event : PlanEvictions(registry, input, self_preservation)) a.Append(event);
    } else if (std::optional<Event> event =
                   DecideRenewalThresholdUpdate(registry, now_ms, self_preservation)) {
      a.Append(*event);
    }
  }
  out.events = a.log();
  out.end_ms = now_ms;
  return out;
}

}  // namespace logbook::core::testing
