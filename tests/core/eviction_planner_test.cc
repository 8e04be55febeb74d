#include "core/eviction_planner.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

constexpr std::int64_t kMinute = 60000;

SelfPreservationOptions NoSelfPreservation() {
  SelfPreservationOptions options;
  options.enabled = false;
  return options;
}

EvictionInput At(TimestampMs now_ms, std::uint64_t seed = 1) {
  EvictionInput input;
  input.now_ms = now_ms;
  input.seed = seed;
  return input;
}

InstanceInfo WithDuration(std::string id, std::int32_t duration_secs) {
  InstanceInfo info = MakeInstance("ORDERS", std::move(id));
  info.duration_secs = duration_secs;
  return info;
}

void RegisterMany(Harness& harness, int count, TimestampMs now_ms) {
  for (int i = 0; i < count; ++i) {
    harness.Register(MakeInstance("ORDERS", "o" + std::to_string(i)), now_ms);
  }
}

std::vector<std::string> Victims(const std::vector<Event>& events) {
  std::vector<std::string> ids;
  for (const Event& event : events) ids.push_back(event.instance_id);
  return ids;
}

// §6.3 step 4 examples.
TEST(EvictionPlanner, CapIsSizeMinusTruncatedEightyFivePercent) {
  const std::pair<int, std::size_t> examples[] = {{1, 1}, {6, 1}, {10, 2}, {20, 3}, {100, 15}};
  for (const auto& [size, cap] : examples) {
    Harness harness;
    RegisterMany(harness, size, 1000);
    const std::vector<Event> events =
        PlanEvictions(harness.registry(), At(1000 + 90001), NoSelfPreservation());
    ASSERT_EQ(events.size(), cap) << "size " << size;
    EXPECT_EQ(events[0].evict_reason.eviction_cap, cap);
    EXPECT_EQ(events[0].evict_reason.registry_size, static_cast<std::uint32_t>(size));
    EXPECT_EQ(events[0].evict_reason.expired_count, static_cast<std::uint32_t>(size));
  }
}

// Conformance checklist 66 with Part A: expiry at exactly one duration.
TEST(EvictionPlanner, NeverRenewedLeaseExpiresStrictlyAfterOneDuration) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  EXPECT_TRUE(PlanEvictions(harness.registry(), At(6000), NoSelfPreservation()).empty());
  const std::vector<Event> events =
      PlanEvictions(harness.registry(), At(6001), NoSelfPreservation());
  ASSERT_EQ(events.size(), 1u);
  for (const Event& event : events) harness.Append(event);
  EXPECT_EQ(harness.Find("ORDERS", "o1"), nullptr);
}

// Conformance checklist 67 as Part A reads it: one duration after the heartbeat.
TEST(EvictionPlanner, RenewedLeaseExpiresOneDurationAfterRenewal) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  harness.Renew("ORDERS", "o1", 4000);
  EXPECT_TRUE(PlanEvictions(harness.registry(), At(9000), NoSelfPreservation()).empty());
  EXPECT_EQ(PlanEvictions(harness.registry(), At(9001), NoSelfPreservation()).size(), 1u);
}

TEST(EvictionPlanner, CompensationDelaysExpiry) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  EvictionInput input = At(8000);
  input.compensation_ms = 2000;
  EXPECT_TRUE(PlanEvictions(harness.registry(), input, NoSelfPreservation()).empty());
  input.now_ms = 8001;
  EXPECT_EQ(PlanEvictions(harness.registry(), input, NoSelfPreservation()).size(), 1u);
}

// Part A restart grace / conformance checklist 70.
TEST(EvictionPlanner, RestartGraceWaitsOneOwnDurationFromReady) {
  Harness harness;
  harness.Register(WithDuration("short", 5), 1000);
  harness.Register(WithDuration("long", 90), 1000);
  EvictionInput input = At(500000);
  input.grace_start_ms = 500000;  // ready long after both leases expired
  EXPECT_TRUE(PlanEvictions(harness.registry(), input, NoSelfPreservation()).empty());
  input.now_ms = 505000;
  EXPECT_TRUE(PlanEvictions(harness.registry(), input, NoSelfPreservation()).empty());
  input.now_ms = 505001;
  EXPECT_EQ(Victims(PlanEvictions(harness.registry(), input, NoSelfPreservation())),
            std::vector<std::string>{"short"});
  input.now_ms = 590001;  // now both are past their grace (cap 1 of 2)
  const std::vector<Event> events = PlanEvictions(harness.registry(), input, NoSelfPreservation());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].evict_reason.expired_count, 2u);
}

TEST(EvictionPlanner, RenewalDuringGraceKeepsInstance) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  harness.Renew("ORDERS", "o1", 502000);
  EvictionInput input = At(506000);
  input.grace_start_ms = 500000;
  EXPECT_TRUE(PlanEvictions(harness.registry(), input, NoSelfPreservation()).empty());
}

// Conformance checklist 68.
TEST(EvictionPlanner, SelfPreservationKeepsSilentSingleInstance) {
  Harness harness;  // Spring: expected 1 -> 2 after the registration
  harness.Register(WithDuration("o1", 5), 1000);
  EXPECT_TRUE(
      PlanEvictions(harness.registry(), At(10 * kMinute), SelfPreservationOptions{}).empty());
}

TEST(EvictionPlanner, EvictsWithSelfPreservationWhenRenewalsAboveThreshold) {
  Harness harness;
  harness.Register(WithDuration("dead", 5), 10 * kMinute);
  RegisterMany(harness, 10, 10 * kMinute);  // 11 instances, expected 12, threshold 20
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k < 3; ++k) {
      harness.Renew("ORDERS", "o" + std::to_string(i), 11 * kMinute + k * 20000);
    }
  }
  const std::vector<Event> events =
      PlanEvictions(harness.registry(), At(12 * kMinute), SelfPreservationOptions{});
  ASSERT_EQ(Victims(events), std::vector<std::string>{"dead"});
  const EvictReason& reason = events[0].evict_reason;
  EXPECT_TRUE(reason.self_preservation_enabled);
  EXPECT_EQ(reason.renews_last_min, 30);
  EXPECT_EQ(reason.renews_threshold, 20);
  EXPECT_EQ(reason.expired_count, 1u);
  EXPECT_EQ(reason.eviction_cap, 2u);
  EXPECT_EQ(reason.registry_size, 11u);
  EXPECT_EQ(reason.lease_expired_at_ms, 10 * kMinute + 5000);
}

TEST(EvictionPlanner, EventsNameVictimAndTime) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  const std::vector<Event> events =
      PlanEvictions(harness.registry(), At(7000), NoSelfPreservation());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kEvict);
  EXPECT_EQ(events[0].source, EventSource::kEvictor);
  EXPECT_EQ(events[0].timestamp_ms, 7000);
  EXPECT_EQ(events[0].app, "ORDERS");
  EXPECT_EQ(events[0].instance_id, "o1");
  EXPECT_EQ(events[0].offset, kNoOffset);
  EXPECT_EQ(events[0].evict_reason.lease_expired_at_ms, 6000);
  EXPECT_FALSE(events[0].evict_reason.self_preservation_enabled);
}

TEST(EvictionPlanner, NothingExpiredNothingPlanned) {
  Harness harness;
  RegisterMany(harness, 5, 1000);
  EXPECT_TRUE(PlanEvictions(harness.registry(), At(2000), NoSelfPreservation()).empty());
}

TEST(EvictionPlanner, SameSeedSameVictims) {
  Harness harness;
  RegisterMany(harness, 20, 1000);
  const TimestampMs later = 200000;
  EXPECT_EQ(Victims(PlanEvictions(harness.registry(), At(later, 42), NoSelfPreservation())),
            Victims(PlanEvictions(harness.registry(), At(later, 42), NoSelfPreservation())));
}

TEST(EvictionPlanner, SeedsSpreadTheChoiceOverAllExpired) {
  Harness harness;
  RegisterMany(harness, 20, 1000);
  std::set<std::string> chosen;
  std::set<std::vector<std::string>> distinct_picks;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const std::vector<std::string> victims =
        Victims(PlanEvictions(harness.registry(), At(200000, seed), NoSelfPreservation()));
    ASSERT_EQ(victims.size(), 3u);
    EXPECT_EQ(std::set<std::string>(victims.begin(), victims.end()).size(), 3u);
    chosen.insert(victims.begin(), victims.end());
    distinct_picks.insert(victims);
  }
  EXPECT_EQ(chosen.size(), 20u);
  EXPECT_GT(distinct_picks.size(), 100u);
}

// Conformance checklist 69.
TEST(EvictionPlanner, EvictedInstancesAppearInDeltaAsDeleted) {
  Harness harness;
  harness.Register(WithDuration("o1", 5), 1000);
  for (const Event& event : PlanEvictions(harness.registry(), At(7000), NoSelfPreservation())) {
    harness.Append(event);
  }
  const std::vector<DeltaEntry> delta = harness.registry().Delta(8000);
  ASSERT_EQ(delta.size(), 1u);
  EXPECT_EQ(delta[0].action, ActionType::kDeleted);
  EXPECT_EQ(delta[0].record->lease.eviction_timestamp, 7000);
}

}  // namespace
}  // namespace logbook::core
