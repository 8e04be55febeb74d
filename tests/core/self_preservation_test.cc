#include "core/self_preservation.h"

#include <string>

#include "core/self_preservation_state.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

constexpr std::int64_t kMinute = 60000;

SelfPreservationOptions Defaults() { return SelfPreservationOptions{}; }

SelfPreservationOptions Disabled() {
  SelfPreservationOptions options;
  options.enabled = false;
  return options;
}

// §6.2: (int)(expected × 60 / 30 × 0.85) = floor(1.7 × expected).
TEST(RenewsPerMinuteThreshold, DefaultsAreFloorOfOnePointSevenTimesExpected) {
  EXPECT_EQ(RenewsPerMinuteThreshold(0, Defaults()), 0);
  EXPECT_EQ(RenewsPerMinuteThreshold(1, Defaults()), 1);
  EXPECT_EQ(RenewsPerMinuteThreshold(2, Defaults()), 3);
  EXPECT_EQ(RenewsPerMinuteThreshold(6, Defaults()), 10);
  EXPECT_EQ(RenewsPerMinuteThreshold(7, Defaults()), 11);
  EXPECT_EQ(RenewsPerMinuteThreshold(10, Defaults()), 17);
  EXPECT_EQ(RenewsPerMinuteThreshold(100, Defaults()), 170);
}

TEST(RenewsPerMinuteThreshold, UsesIntervalAndPercent) {
  SelfPreservationOptions options;
  options.expected_client_renewal_interval_seconds = 60;
  EXPECT_EQ(RenewsPerMinuteThreshold(10, options), 8);
  options.renewal_percent_threshold = 0.5;
  EXPECT_EQ(RenewsPerMinuteThreshold(10, options), 5);
}

TEST(RenewsPerMinuteThreshold, NonPositiveIntervalMeansThirtySeconds) {
  SelfPreservationOptions options;
  options.expected_client_renewal_interval_seconds = 0;
  EXPECT_EQ(RenewsPerMinuteThreshold(10, options), 17);
  options.expected_client_renewal_interval_seconds = -5;
  EXPECT_EQ(RenewsPerMinuteThreshold(10, options), 17);
}

// §6.1.
TEST(LeaseExpirationEnabled, AlwaysWhenSelfPreservationDisabled) {
  EXPECT_TRUE(IsLeaseExpirationEnabled(0, 0, Disabled()));
  EXPECT_TRUE(IsLeaseExpirationEnabled(0, 100, Disabled()));
}

TEST(LeaseExpirationEnabled, RequiresRenewsStrictlyAboveAPositiveThreshold) {
  EXPECT_FALSE(IsLeaseExpirationEnabled(5, 0, Defaults()));
  EXPECT_FALSE(IsLeaseExpirationEnabled(10, 10, Defaults()));
  EXPECT_TRUE(IsLeaseExpirationEnabled(11, 10, Defaults()));
}

// §6.2 periodic update.
TEST(UpdatedExpectedClients, FollowsCountUnlessItDropsMoreThanFifteenPercent) {
  EXPECT_EQ(UpdatedExpectedClients(10, 9, Defaults()), 9);    // 9 > 8.5
  EXPECT_EQ(UpdatedExpectedClients(10, 8, Defaults()), 10);   // 8 <= 8.5: kept
  EXPECT_EQ(UpdatedExpectedClients(10, 12, Defaults()), 12);  // growth always taken
  EXPECT_EQ(UpdatedExpectedClients(0, 3, Defaults()), 3);
  EXPECT_EQ(UpdatedExpectedClients(0, 0, Defaults()), 0);
}

TEST(UpdatedExpectedClients, AnyDropWhenSelfPreservationDisabled) {
  EXPECT_EQ(UpdatedExpectedClients(10, 2, Disabled()), 2);
}

// Registers n instances (Spring: expected starts at 1, so it ends at n + 1),
// and has `live` of them renew twice during minute 11.
Harness SpringStandalone(int n, int live) {
  Harness harness;
  for (int i = 0; i < n; ++i) {
    harness.Register(MakeInstance("ORDERS", "o" + std::to_string(i)), 10 * kMinute);
  }
  for (int i = 0; i < live; ++i) {
    const std::string id = "o" + std::to_string(i);
    harness.Renew("ORDERS", id, 11 * kMinute + 1000);
    harness.Renew("ORDERS", id, 11 * kMinute + 31000);
  }
  return harness;
}

bool ExpirationEnabledAtMinute12(const Registry& registry) {
  const SelfPreservationOptions options;
  return IsLeaseExpirationEnabled(registry.RenewsLastMinute(12 * kMinute),
                                  RenewsPerMinuteThreshold(registry.expected_clients(), options),
                                  options);
}

// §6.4: with expected starting at 1, expiration is enabled only for N >= 6.
TEST(SelfPreservation, SpringStandaloneNeedsSixInstances) {
  EXPECT_FALSE(ExpirationEnabledAtMinute12(SpringStandalone(1, 1).registry()));
  EXPECT_FALSE(ExpirationEnabledAtMinute12(SpringStandalone(5, 5).registry()));  // 10 <= 10
  EXPECT_TRUE(ExpirationEnabledAtMinute12(SpringStandalone(6, 6).registry()));   // 12 > 11
}

// §6.4: one of six dies: 10 renews <= 11, so eviction stops.
TEST(SelfPreservation, OneOfSixSilentStopsExpiration) {
  EXPECT_FALSE(ExpirationEnabledAtMinute12(SpringStandalone(6, 5).registry()));
}

TEST(SelfPreservation, DisabledMeansExpirationAlwaysEnabled) {
  EXPECT_TRUE(LeaseExpirationEnabled(SpringStandalone(1, 0).registry(), 12 * kMinute, Disabled()));
}

TEST(SelfPreservation, ExpectedZeroNeverExpires) {
  // §6.4 Netflix standalone: expected stays 0, threshold 0, nothing expires.
  Harness harness(RegistryOptions{.initial_expected_clients = 0});
  harness.Register(MakeInstance("ORDERS", "o1"), 10 * kMinute);
  for (int i = 0; i < 10; ++i) harness.Renew("ORDERS", "o1", 11 * kMinute + i);
  EXPECT_FALSE(LeaseExpirationEnabled(harness.registry(), 12 * kMinute, Defaults()));
}

TEST(RenewalThresholdUpdate, NetflixStandaloneLearnsTheCount) {
  Harness harness(RegistryOptions{.initial_expected_clients = 0});
  for (int i = 0; i < 3; ++i) harness.Register(MakeInstance("ORDERS", std::to_string(i)), 1000);
  ASSERT_EQ(harness.registry().expected_clients(), 0);
  const std::optional<Event> event =
      DecideRenewalThresholdUpdate(harness.registry(), 900000, Defaults());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, EventType::kRenewalThresholdUpdate);
  EXPECT_EQ(event->source, EventSource::kSystem);
  EXPECT_EQ(event->timestamp_ms, 900000);
  EXPECT_EQ(event->expected_clients, 3);
  harness.Append(*event);
  EXPECT_EQ(harness.registry().expected_clients(), 3);
  EXPECT_FALSE(DecideRenewalThresholdUpdate(harness.registry(), 1800000, Defaults()).has_value());
}

TEST(RenewalThresholdUpdate, CountsOnlyUpInstances) {
  Harness harness(RegistryOptions{.initial_expected_clients = 0});
  harness.Register(MakeInstance("ORDERS", "up"), 1000);
  harness.Register(MakeInstance("ORDERS", "down", InstanceStatus::kDown), 1000);
  harness.Register(MakeInstance("ORDERS", "starting", InstanceStatus::kStarting), 1000);
  const std::optional<Event> event =
      DecideRenewalThresholdUpdate(harness.registry(), 900000, Defaults());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->expected_clients, 1);
}

TEST(RenewalThresholdUpdate, LargeDropKeptUnlessSelfPreservationDisabled) {
  Harness harness(RegistryOptions{.initial_expected_clients = 0});
  for (int i = 0; i < 10; ++i) harness.Register(MakeInstance("ORDERS", std::to_string(i)), 1000);
  harness.Append(*DecideRenewalThresholdUpdate(harness.registry(), 2000, Defaults()));
  ASSERT_EQ(harness.registry().expected_clients(), 10);
  // The cancels lower expected to 8 on their own (−1 each); put it back to 10
  // to model a partition (instances silent but not removed).
  harness.Cancel("ORDERS", "0", 3000);
  harness.Cancel("ORDERS", "1", 3000);
  Event reset;
  reset.type = EventType::kRenewalThresholdUpdate;
  reset.expected_clients = 10;
  harness.Append(reset);
  EXPECT_FALSE(DecideRenewalThresholdUpdate(harness.registry(), 4000, Defaults()).has_value());
  const std::optional<Event> event =
      DecideRenewalThresholdUpdate(harness.registry(), 4000, Disabled());
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->expected_clients, 8);
}

}  // namespace
}  // namespace logbook::core
