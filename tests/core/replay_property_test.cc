// Property: the registry is a deterministic projection of its events
// (ARCHITECTURE.md §2). Seeded random command sequences go through Decide and
// Apply on registry A while the events are recorded; replaying the record
// into a fresh registry B must give byte-identical state at every checkpoint.
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/apps_hashcode.h"
#include "core/decide.h"
#include "core/eviction_planner.h"
#include "core/self_preservation.h"
#include "core/self_preservation_state.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

constexpr int kSeeds = 300;
constexpr int kStepsPerSeed = 400;
constexpr int kCheckpointEvery = 50;

class Workload {
 public:
  explicit Workload(std::uint64_t seed) : rng_(seed) {}

  int Below(int bound) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(bound)); }
  bool Chance(int percent) { return Below(100) < percent; }
  std::uint64_t Next() { return rng_(); }

  InstanceStatus AnyStatus() { return static_cast<InstanceStatus>(Below(5)); }
  // UP most of the time, as in real fleets, so overrides and rule 3 matter.
  InstanceStatus RegisteredStatus() { return Chance(60) ? InstanceStatus::kUp : AnyStatus(); }
  std::string App() {
    // "orders" exercises the upper-casing of names in Decide.
    static constexpr std::array<const char*, 3> kApps = {"ORDERS", "BILLING", "orders"};
    return kApps[Below(static_cast<int>(kApps.size()))];
  }
  // Ids are shared across apps on purpose: overrides are keyed by id alone.
  std::string Id() { return "i" + std::to_string(Below(6)); }

 private:
  std::mt19937_64 rng_;
};

// What the random workloads reached, summed over seeds.
struct Coverage {
  std::array<int, 3> outcomes{};  // by Outcome
  std::array<int, 9> events{};    // by EventType
  int overrides_present = 0;      // checkpoints with a non-empty override map
  int renew_status_changes = 0;
  int override_transfers = 0;  // RENEW events storing a peer's override
};

void Record(const Decision& decision, Coverage& coverage) {
  ++coverage.outcomes[static_cast<std::size_t>(decision.outcome)];
}

struct Checkpoint {
  std::size_t events;
  std::string state;
};

InstanceInfo RandomRegistrant(Workload& work, TimestampMs now_ms) {
  InstanceInfo info =
      MakeInstance(work.App(), work.Id(), work.RegisteredStatus(), now_ms - work.Below(120000));
  if (work.Chance(10)) {
    // Keyed by host name instead (E1 effective id).
    info.host_name = *info.instance_id;
    info.instance_id.reset();
  }
  if (work.Chance(20)) info.overridden_status = work.AnyStatus();
  static constexpr std::array<std::int32_t, 4> kDurations = {0, 5, 30, 90};
  info.duration_secs = kDurations[work.Below(4)];
  switch (work.Below(4)) {
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
  if (work.Chance(30)) info.secure_vip_address = "s1";
  if (work.Chance(30)) info.metadata["zone"] = "z" + std::to_string(work.Below(3));
  return info;
}

std::optional<TimestampMs> RandomDirtyTimestamp(Workload& work, TimestampMs now_ms) {
  if (work.Chance(30)) return std::nullopt;
  return now_ms - work.Below(150000);
}

// Invariants that hold after any event sequence: derived counters agree with
// the instances they summarize.
void ExpectConsistent(const Registry& registry) {
  StatusCounts counts{};
  std::int64_t instances = 0;
  for (const auto& [name, application] : registry.applications()) {
    EXPECT_FALSE(application.instances.empty());
    EXPECT_EQ(application.name, name);
    for (const auto& [id, record] : application.instances) {
      EXPECT_EQ(record.info.EffectiveId(), id);
      EXPECT_EQ(record.info.app, name);
      ++counts[static_cast<std::size_t>(record.info.status)];
      ++instances;
    }
  }
  EXPECT_EQ(registry.instance_count(), instances);
  EXPECT_EQ(registry.status_counts(), counts);
  EXPECT_GE(registry.expected_clients(), 0);
}

void RunSeed(std::uint64_t seed, Coverage& coverage) {
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  Workload work(seed);
  RegistryOptions options;
  options.initial_expected_clients = work.Below(3);
  options.delta_retention_ms = work.Chance(50) ? 180000 : 45000;
  SelfPreservationOptions self_preservation;
  self_preservation.enabled = work.Chance(50);

  Harness a(options);
  std::vector<Checkpoint> checkpoints;
  TimestampMs now_ms = 1700000000000 + work.Below(60000);
  const TimestampMs ready_ms = now_ms;

  for (int step = 0; step < kStepsPerSeed; ++step) {
    now_ms += work.Chance(10) ? 0 : work.Below(40000);
    const Registry& registry = a.registry();
    DecideContext context;
    context.now_ms = now_ms;
    context.source = static_cast<EventSource>(work.Below(4));
    context.lease_expiration_enabled = LeaseExpirationEnabled(registry, now_ms, self_preservation);
    const bool is_replication = work.Chance(25);

    const int op = work.Below(100);
    if (op < 22) {
      Record(a.Commit(DecideRegister(registry, {RandomRegistrant(work, now_ms), is_replication},
                                     context)),
             coverage);
    } else if (op < 50) {
      std::optional<InstanceStatus> overridden;
      if (work.Chance(30)) overridden = work.AnyStatus();
      Record(a.Commit(DecideRenew(registry,
                                  {work.App(), work.Id(), RandomDirtyTimestamp(work, now_ms),
                                   overridden, is_replication},
                                  context)),
             coverage);
    } else if (op < 58) {
      Record(a.Commit(DecideCancel(registry, {work.App(), work.Id(), is_replication}, context)),
             coverage);
    } else if (op < 68) {
      Record(a.Commit(DecideStatusUpdate(registry,
                                         {work.App(), work.Id(), work.AnyStatus(),
                                          RandomDirtyTimestamp(work, now_ms), is_replication},
                                         context)),
             coverage);
    } else if (op < 76) {
      std::optional<InstanceStatus> value;
      if (work.Chance(60)) value = work.AnyStatus();
      Record(a.Commit(DecideDeleteStatusOverride(
                 registry,
                 {work.App(), work.Id(), value, RandomDirtyTimestamp(work, now_ms), is_replication},
                 context)),
             coverage);
    } else if (op < 84) {
      std::map<std::string, std::string> metadata;
      for (int i = work.Below(3); i > 0; --i) {
        metadata["k" + std::to_string(work.Below(4))] = std::to_string(work.Next() % 100);
      }
      Record(a.Commit(DecideMetadataUpdate(registry, {work.App(), work.Id(), metadata}, context)),
             coverage);
    } else if (op < 95) {
      EvictionInput input;
      input.now_ms = now_ms;
      input.compensation_ms = work.Chance(20) ? work.Below(5000) : 0;
      input.grace_start_ms = work.Chance(20) ? ready_ms : 0;
      input.seed = work.Next();
      for (const Event& event : PlanEvictions(registry, input, self_preservation)) {
        a.Append(event);
      }
    } else {
      if (std::optional<Event> event =
              DecideRenewalThresholdUpdate(registry, now_ms, self_preservation)) {
        a.Append(*event);
      }
    }
    if ((step + 1) % kCheckpointEvery == 0) {
      ExpectConsistent(a.registry());
      if (!a.registry().overrides().empty()) ++coverage.overrides_present;
      checkpoints.push_back({a.log().size(), a.registry().Serialize()});
    }
  }

  Registry b(options);
  std::size_t applied = 0;
  for (const Checkpoint& checkpoint : checkpoints) {
    for (; applied < checkpoint.events; ++applied) b.Apply(a.log()[applied]);
    ASSERT_EQ(b.Serialize(), checkpoint.state) << "after " << applied << " events";
  }
  for (; applied < a.log().size(); ++applied) b.Apply(a.log()[applied]);
  ASSERT_EQ(b.Serialize(), a.registry().Serialize());
  for (const Event& event : a.log()) {
    ++coverage.events[static_cast<std::size_t>(event.type)];
    if (event.renew_status.has_value()) ++coverage.renew_status_changes;
    if (event.override_to_store.has_value()) ++coverage.override_transfers;
  }

  // The delta window is not serialized, but it is rebuilt by replay too.
  const std::vector<DeltaEntry> delta_a = a.registry().Delta(now_ms);
  const std::vector<DeltaEntry> delta_b = b.Delta(now_ms);
  ASSERT_EQ(delta_a.size(), delta_b.size());
  for (std::size_t i = 0; i < delta_a.size(); ++i) {
    EXPECT_EQ(delta_a[i].app, delta_b[i].app);
    EXPECT_EQ(delta_a[i].instance_id, delta_b[i].instance_id);
    EXPECT_EQ(delta_a[i].action, delta_b[i].action);
    EXPECT_EQ(*delta_a[i].record, *delta_b[i].record);
  }
  EXPECT_EQ(AppsHashcode(a.registry().status_counts()), AppsHashcode(b.status_counts()));
}

TEST(ReplayProperty, ReplayingRecordedEventsRebuildsIdenticalRegistry) {
  Coverage coverage;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    RunSeed(seed, coverage);
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The property proves little unless the workload reaches the interesting
  // states: every outcome, every event type, overrides and status rewrites.
  for (std::size_t outcome = 0; outcome < coverage.outcomes.size(); ++outcome) {
    EXPECT_GT(coverage.outcomes[outcome], 0) << "outcome " << outcome;
  }
  for (std::size_t type = 1; type < coverage.events.size(); ++type) {
    EXPECT_GT(coverage.events[type], 0) << EventTypeName(static_cast<EventType>(type));
  }
  EXPECT_GT(coverage.overrides_present, 0);
  EXPECT_GT(coverage.renew_status_changes, 0);
  EXPECT_GT(coverage.override_transfers, 0);
}

}  // namespace
}  // namespace logbook::core
