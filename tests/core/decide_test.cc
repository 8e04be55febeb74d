#include "core/decide.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Context;
using testing::Harness;
using testing::MakeInstance;

constexpr InstanceStatus kUp = InstanceStatus::kUp;
constexpr InstanceStatus kDown = InstanceStatus::kDown;
constexpr InstanceStatus kStarting = InstanceStatus::kStarting;
constexpr InstanceStatus kOos = InstanceStatus::kOutOfService;
constexpr InstanceStatus kUnknown = InstanceStatus::kUnknown;

// A harness with ORDERS/o1 registered UP at t=10 000 with lastDirtyTimestamp 1000.
class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override { harness_.Register(MakeInstance("ORDERS", "o1"), 10000); }

  const InstanceRecord& O1() const {
    const InstanceRecord* record = harness_.Find("ORDERS", "o1");
    EXPECT_NE(record, nullptr);
    return *record;
  }

  Harness harness_;
};

// --- E1 register ------------------------------------------------------------

TEST(DecideRegister, EventCarriesContextAndNoOffset) {
  Registry registry;
  DecideContext context = Context(5000);
  context.source = EventSource::kEurekaPeer;
  const Decision decision =
      DecideRegister(registry, RegisterCommand{MakeInstance("ORDERS", "o1"), true}, context);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  const Event& event = decision.events[0];
  EXPECT_EQ(event.type, EventType::kRegister);
  EXPECT_EQ(event.timestamp_ms, 5000);
  EXPECT_EQ(event.source, EventSource::kEurekaPeer);
  EXPECT_EQ(event.app, "ORDERS");
  EXPECT_EQ(event.instance_id, "o1");
  EXPECT_EQ(event.offset, kNoOffset);
  EXPECT_TRUE(event.origin_node.empty());
  EXPECT_EQ(event.origin_offset, kNoOffset);
  ASSERT_TRUE(event.instance.has_value());
}

TEST(DecideRegister, DecidingChangesNothing) {
  Registry registry;
  const std::string before = registry.Serialize();
  DecideRegister(registry, RegisterCommand{MakeInstance("ORDERS", "o1"), false}, Context(5000));
  EXPECT_EQ(registry.Serialize(), before);
}

// Conformance checklist 2–3.
TEST(DecideRegister, AppNameIsUpperCased) {
  Harness harness;
  InstanceInfo info = MakeInstance("orders", "o1");
  info.app_group_name = "group";
  harness.Register(info, 1000);
  const InstanceRecord* record = harness.Find("ORDERS", "o1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->info.app, "ORDERS");
  EXPECT_EQ(record->info.app_group_name, "GROUP");
  EXPECT_EQ(harness.Find("orders", "o1"), nullptr);
}

// What the write pipeline hands back: the last decision's vector, its event
// still in it, filled in by the log with this node's id (past std::string's
// inline buffer). The registration's event reuses both.
TEST(DecideRegister, AHandedBackVectorAndItsOriginBufferServeAgain) {
  Harness harness;
  Decision previous = DecideRegister(harness.registry(),
                                     RegisterCommand{MakeInstance("ORDERS", "o1"), false},
                                     Context(1000));
  ASSERT_EQ(previous.events.size(), 1u);
  previous.events[0].origin_node = "node-0123456789abcdef";
  std::vector<Event> spare = std::move(previous.events);
  const Event* buffer = spare.data();

  Decision decision =
      DecideRegister(harness.registry(), RegisterCommand{MakeInstance("orders", "o2"), false},
                     Context(2000), std::move(spare));
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events.data(), buffer);
  const Event& event = decision.events[0];
  EXPECT_EQ(event.type, EventType::kRegister);
  EXPECT_EQ(event.app, "ORDERS");
  EXPECT_EQ(event.instance_id, "o2");
  EXPECT_EQ(event.timestamp_ms, 2000);
  EXPECT_TRUE(event.origin_node.empty()) << "the log fills in the origin";
  EXPECT_GE(event.origin_node.capacity(), std::string_view("node-0123456789abcdef").size());
  ASSERT_TRUE(event.instance.has_value());
  EXPECT_EQ(event.instance->app, "ORDERS");
}

// Conformance checklist 8.
TEST(DecideRegister, IdFallsBackToHostName) {
  Harness harness;
  InstanceInfo info = MakeInstance("ORDERS", "x");
  info.instance_id.reset();
  info.host_name = "h9";
  const Decision decision = harness.Register(info, 1000);
  EXPECT_EQ(decision.events[0].instance_id, "h9");
  ASSERT_NE(harness.Find("ORDERS", "h9"), nullptr);
  EXPECT_FALSE(harness.Find("ORDERS", "h9")->info.instance_id.has_value());
}

TEST(DecideRegister, AmazonWithoutInstanceIdGetsEffectiveId) {
  Harness harness;
  InstanceInfo info = MakeInstance("ORDERS", "x");
  info.instance_id.reset();
  info.host_name = "ec2-host";
  info.data_center.name = "Amazon";
  info.data_center.class_name = std::string(kAmazonDataCenterClass);
  harness.Register(info, 1000);
  const InstanceRecord* record = harness.Find("ORDERS", "ec2-host");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->info.data_center.metadata.at("instance-id"), "ec2-host");
}

TEST(DecideRegister, AmazonInstanceIdIsTheKey) {
  Harness harness;
  InstanceInfo info = MakeInstance("ORDERS", "x");
  info.instance_id.reset();
  info.data_center.name = "Amazon";
  info.data_center.metadata["instance-id"] = "i-123";
  harness.Register(info, 1000);
  EXPECT_NE(harness.Find("ORDERS", "i-123"), nullptr);
}

// Conformance checklist 13: the codec maps "up" to UNKNOWN; rule 1 keeps it.
TEST(DecideRegister, UnrecognisedStatusIsStoredUnknown) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1", ParseStatusLenient("up")), 1000);
  EXPECT_EQ(harness.Find("ORDERS", "o1")->info.status, kUnknown);
}

// Conformance checklist 14.
TEST(DecideRegister, MissingStatusIsUp) {
  Harness harness;
  InstanceInfo info;  // the parser starts from these defaults
  info.instance_id = "o1";
  info.host_name = "h1";
  info.app = "ORDERS";
  info.ip_addr = "10.0.0.1";
  harness.Register(info, 1000);
  EXPECT_EQ(harness.Find("ORDERS", "o1")->info.status, kUp);
  EXPECT_EQ(harness.Find("ORDERS", "o1")->info.overridden_status, kUnknown);
}

// Quirk 18.
TEST_F(DecideTest, OlderRegistrantKeepsStoredCopyButResetsLease) {
  InstanceInfo stale = MakeInstance("ORDERS", "o1", kUp, /*last_dirty_ms=*/500);
  stale.ip_addr = "10.9.9.9";
  harness_.Register(stale, 20000);
  EXPECT_EQ(O1().info.ip_addr, "10.0.0.1");
  EXPECT_EQ(O1().info.last_dirty_timestamp, 1000);
  EXPECT_EQ(O1().lease.registration_timestamp, 20000);
}

TEST_F(DecideTest, EqualDirtyTimestampRegistrantWins) {
  InstanceInfo same = MakeInstance("ORDERS", "o1", kUp, /*last_dirty_ms=*/1000);
  same.ip_addr = "10.9.9.9";
  harness_.Register(same, 20000);
  EXPECT_EQ(O1().info.ip_addr, "10.9.9.9");
}

TEST(DecideRegister, RegistrantOverrideIsTransferredToEmptyMap) {
  Harness harness;
  InstanceInfo info = MakeInstance("ORDERS", "o1");
  info.overridden_status = kOos;
  harness.Register(info, 1000);
  EXPECT_EQ(harness.registry().OverrideFor("o1"), kOos);
  EXPECT_EQ(harness.Find("ORDERS", "o1")->info.status, kOos);  // rule 2
}

TEST_F(DecideTest, OverrideMapWinsOverRegistrantOverride) {
  harness_.SetStatus("ORDERS", "o1", kOos, 11000);
  InstanceInfo info = MakeInstance("ORDERS", "o1", kUp, 2000);
  info.overridden_status = kDown;
  const Decision decision = harness_.Register(info, 12000);
  EXPECT_EQ(decision.events[0].instance->overridden_status, kOos);
  EXPECT_EQ(decision.events[0].instance->status, kOos);
  EXPECT_EQ(harness_.registry().OverrideFor("o1"), kOos);
}

// Conformance checklist 43.
TEST_F(DecideTest, ReRegisterUpKeepsOverride) {
  harness_.SetStatus("ORDERS", "o1", kOos, 11000, 1000);
  harness_.Register(MakeInstance("ORDERS", "o1", kUp, 5000), 12000);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(O1().info.overridden_status, kOos);
}

// Conformance checklist 44.
TEST_F(DecideTest, ReRegisterDownBeatsOverride) {
  harness_.SetStatus("ORDERS", "o1", kOos, 11000, 1000);
  harness_.Register(MakeInstance("ORDERS", "o1", kDown, 5000), 12000);
  EXPECT_EQ(O1().info.status, kDown);
}

TEST_F(DecideTest, ReRegisterStartingBeatsExistingUp) {
  harness_.Register(MakeInstance("ORDERS", "o1", kStarting, 5000), 12000);
  EXPECT_EQ(O1().info.status, kStarting);
}

TEST_F(DecideTest, ClientReRegisterCannotFlipServerHeldOutOfService) {
  // Deleting the override with value=OUT_OF_SERVICE leaves that status
  // without a map entry; rule 3 (existing lease) then protects it.
  harness_.SetStatus("ORDERS", "o1", kOos, 11000);
  harness_.DeleteOverride("ORDERS", "o1", 11500, kOos);
  ASSERT_FALSE(harness_.registry().OverrideFor("o1").has_value());
  ASSERT_EQ(O1().info.status, kOos);
  harness_.Register(MakeInstance("ORDERS", "o1", kUp, 5000), 12000);
  EXPECT_EQ(O1().info.status, kOos);
}

TEST_F(DecideTest, ReplicatedRegisterSkipsExistingLeaseRule) {
  harness_.SetStatus("ORDERS", "o1", kOos, 11000);
  harness_.DeleteOverride("ORDERS", "o1", 11500, kOos);
  harness_.Register(MakeInstance("ORDERS", "o1", kUp, 5000), 12000, /*is_replication=*/true);
  EXPECT_EQ(O1().info.status, kUp);
}

// --- E2 renew ---------------------------------------------------------------

// Conformance checklist 33 (Part A: the real renewal time, not now + 90 s).
TEST_F(DecideTest, RenewSetsLastRenewalToNow) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 40000, 1000);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events[0].type, EventType::kRenew);
  EXPECT_TRUE(decision.events[0].counts_as_renewal);
  EXPECT_FALSE(decision.events[0].renew_status.has_value());
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 40000);
}

// Conformance checklist 34.
TEST_F(DecideTest, RenewUnknownInstanceIsNotFoundWithoutEvent) {
  const Decision decision = harness_.Renew("ORDERS", "unknown", 40000, 1);
  EXPECT_EQ(decision.outcome, Outcome::kNotFound);
  EXPECT_TRUE(decision.events.empty());
}

// Conformance checklist 35.
TEST_F(DecideTest, RenewWithNewerDirtyTimestampIsNotFoundButRenews) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 40000, 2000);
  EXPECT_EQ(decision.outcome, Outcome::kNotFound);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_FALSE(decision.events[0].override_to_store.has_value());
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 40000);
}

// Conformance checklist 36.
TEST_F(DecideTest, ClientRenewWithOlderDirtyTimestampIsOk) {
  EXPECT_EQ(harness_.Renew("ORDERS", "o1", 40000, 500).outcome, Outcome::kOk);
}

// Conformance checklist 37 and 61.
TEST_F(DecideTest, ReplicatedRenewWithOlderDirtyTimestampConflicts) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 40000, 500, /*is_replication=*/true);
  EXPECT_EQ(decision.outcome, Outcome::kConflict);
  ASSERT_TRUE(decision.conflict_instance.has_value());
  EXPECT_EQ(decision.conflict_instance->info.last_dirty_timestamp, 1000);
  EXPECT_EQ(decision.conflict_instance->info.EffectiveId(), "o1");
  EXPECT_EQ(*decision.conflict_instance, O1());  // the copy as renewed
  EXPECT_EQ(decision.events.size(), 1u);         // still renewed
}

// Conformance checklist 38.
TEST_F(DecideTest, RenewWithoutParametersIsOk) {
  EXPECT_EQ(harness_.Renew("ORDERS", "o1", 40000).outcome, Outcome::kOk);
}

// Conformance checklist 39: RenewCommand has no status; the stored one stays.
TEST_F(DecideTest, RenewKeepsStoredStatus) {
  harness_.Renew("ORDERS", "o1", 40000, 1000);
  EXPECT_EQ(O1().info.status, kUp);
}

// Conformance checklist 60 (Heartbeat items of a batch).
TEST_F(DecideTest, ReplicatedRenewWithEqualDirtyTimestampIsOk) {
  EXPECT_EQ(harness_.Renew("ORDERS", "o1", 40000, 1000, true).outcome, Outcome::kOk);
  EXPECT_EQ(harness_.Renew("ORDERS", "zz", 40000, 1000, true).outcome, Outcome::kNotFound);
}

TEST_F(DecideTest, ReplicatedRenewWithNewerDirtyStoresPeerOverride) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 40000, 2000, true, kOos);
  EXPECT_EQ(decision.outcome, Outcome::kNotFound);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events[0].override_to_store, kOos);
  EXPECT_EQ(harness_.registry().OverrideFor("o1"), kOos);
}

TEST_F(DecideTest, ClientRenewNeverStoresOverride) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 40000, 2000, false, kOos);
  EXPECT_FALSE(decision.events[0].override_to_store.has_value());
}

TEST_F(DecideTest, RenewStoresRecomputedStatus) {
  // A peer's override reached the map; the next heartbeat applies it.
  harness_.Renew("ORDERS", "o1", 40000, 2000, true, kOos);
  const Decision decision = harness_.Renew("ORDERS", "o1", 70000);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events[0].renew_status, kOos);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 1000);
}

TEST_F(DecideTest, ExpiredLeaseCanStillRenew) {
  EXPECT_EQ(harness_.Renew("ORDERS", "o1", 500000).outcome, Outcome::kOk);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 500000);
}

// E2 step 4 looks the instance up after renewing it, so the lease is live
// again by then: an expired lease with a newer lastDirtyTimestamp still gets
// the 404 that makes its client re-register.
TEST_F(DecideTest, ExpiredLeaseWithNewerDirtyTimestampIsNotFound) {
  const Decision decision = harness_.Renew("ORDERS", "o1", 500000, 2000);
  EXPECT_EQ(decision.outcome, Outcome::kNotFound);
  EXPECT_EQ(decision.events.size(), 1u);
}

TEST_F(DecideTest, RenewAppIsUpperCased) {
  EXPECT_EQ(harness_.Renew("orders", "o1", 40000).outcome, Outcome::kOk);
}

// --- E3 cancel --------------------------------------------------------------

// Conformance checklist 52–53.
TEST_F(DecideTest, CancelRemovesThenSecondCancelIsNotFound) {
  const Decision first = harness_.Cancel("ORDERS", "o1", 20000);
  EXPECT_EQ(first.outcome, Outcome::kOk);
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_EQ(first.events[0].type, EventType::kCancel);
  EXPECT_EQ(harness_.Find("ORDERS", "o1"), nullptr);
  const Decision second = harness_.Cancel("ORDERS", "o1", 21000);
  EXPECT_EQ(second.outcome, Outcome::kNotFound);
  EXPECT_TRUE(second.events.empty());
}

// Conformance checklist 54.
TEST_F(DecideTest, CancelOnlyInstanceRemovesApplication) {
  harness_.Cancel("ORDERS", "o1", 20000);
  EXPECT_EQ(harness_.registry().FindApplication("ORDERS"), nullptr);
}

TEST_F(DecideTest, CancelOfUnknownInstanceStillDropsItsOverride) {
  harness_.SetStatus("ORDERS", "o1", kOos, 11000);
  const Decision decision = harness_.Cancel("BILLING", "o1", 20000);
  EXPECT_EQ(decision.outcome, Outcome::kNotFound);
  EXPECT_EQ(decision.events.size(), 1u);
  EXPECT_FALSE(harness_.registry().OverrideFor("o1").has_value());
  EXPECT_NE(harness_.Find("ORDERS", "o1"), nullptr);
}

TEST_F(DecideTest, CancelOfExpiredLeaseSucceeds) {
  EXPECT_EQ(harness_.Cancel("ORDERS", "o1", 500000).outcome, Outcome::kOk);
}

// --- E4 status override ------------------------------------------------------

// Conformance checklist 41.
TEST_F(DecideTest, StatusOverrideSetsStatusOverrideAndModified) {
  const Decision decision = harness_.SetStatus("ORDERS", "o1", kOos, 20000, 1000);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(O1().info.overridden_status, kOos);
  EXPECT_EQ(O1().action_type, ActionType::kModified);
  EXPECT_EQ(O1().info.last_updated_timestamp, 20000);
  EXPECT_EQ(harness_.registry().OverrideFor("o1"), kOos);
}

// E4 step 3 / quirk 13.
TEST_F(DecideTest, StatusOverrideRenewsLease) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 20000);
}

TEST_F(DecideTest, StatusOverrideAdoptsOnlyNewerDirtyTimestamp) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000, 500);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 1000);
  harness_.SetStatus("ORDERS", "o1", kDown, 21000, 3000);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 3000);
}

TEST(DecideStatusUpdate, OverrideToUpMarksServiceUp) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1", kStarting), 1000);
  ASSERT_EQ(harness.Find("ORDERS", "o1")->lease.service_up_timestamp, 0);
  harness.SetStatus("ORDERS", "o1", kUp, 2000);
  EXPECT_EQ(harness.Find("ORDERS", "o1")->lease.service_up_timestamp, 2000);
}

// Conformance checklist 42.
TEST_F(DecideTest, HeartbeatKeepsOverriddenStatus) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000, 1000);
  EXPECT_EQ(harness_.Renew("ORDERS", "o1", 40000, 1000).outcome, Outcome::kOk);
  EXPECT_EQ(O1().info.status, kOos);
}

// Conformance checklist 48.
TEST_F(DecideTest, StatusCommandsOnUnknownInstanceAreNotFound) {
  EXPECT_EQ(harness_.SetStatus("ORDERS", "none", kDown, 20000).outcome, Outcome::kNotFound);
  EXPECT_EQ(harness_.DeleteOverride("ORDERS", "none", 20000).outcome, Outcome::kNotFound);
  EXPECT_EQ(harness_.log().size(), 1u);  // only the registration
}

// Conformance checklist 49 / quirk 12.
TEST_F(DecideTest, StatusOverrideToCurrentStatusStoresNoOverride) {
  const std::vector<DeltaEntry> before = harness_.registry().Delta(20000);
  const Decision decision = harness_.SetStatus("ORDERS", "o1", kUp, 20000);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  EXPECT_FALSE(harness_.registry().OverrideFor("o1").has_value());
  EXPECT_EQ(O1().action_type, ActionType::kAdded);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 20000);
  EXPECT_EQ(harness_.registry().Delta(20000).size(), before.size());
}

TEST_F(DecideTest, StatusLookupsHideExpiredLeasesOnlyWhileExpirationEnabled) {
  const TimestampMs after_expiry = 10000 + 90001;
  StatusUpdateCommand set{"ORDERS", "o1", kOos, std::nullopt, false};
  DeleteStatusOverrideCommand remove{"ORDERS", "o1", std::nullopt, std::nullopt, false};
  MetadataUpdateCommand metadata{"ORDERS", "o1", {{"a", "b"}}};
  const Registry& registry = harness_.registry();
  EXPECT_EQ(DecideStatusUpdate(registry, set, Context(after_expiry)).outcome, Outcome::kNotFound);
  EXPECT_EQ(DecideDeleteStatusOverride(registry, remove, Context(after_expiry)).outcome,
            Outcome::kNotFound);
  EXPECT_EQ(DecideMetadataUpdate(registry, metadata, Context(after_expiry)).outcome,
            Outcome::kNotFound);
  EXPECT_EQ(DecideStatusUpdate(registry, set, Context(after_expiry, false)).outcome, Outcome::kOk);
  EXPECT_EQ(DecideDeleteStatusOverride(registry, remove, Context(after_expiry, false)).outcome,
            Outcome::kOk);
  EXPECT_EQ(DecideMetadataUpdate(registry, metadata, Context(after_expiry, false)).outcome,
            Outcome::kOk);
  // Exactly at last renewal + duration the lease still holds (Part A).
  EXPECT_EQ(DecideStatusUpdate(registry, set, Context(10000 + 90000)).outcome, Outcome::kOk);
}

// --- E5 delete override ------------------------------------------------------

// Conformance checklist 45.
TEST_F(DecideTest, DeleteOverrideWithValueRestoresIt) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000, 1000);
  const Decision decision = harness_.DeleteOverride("ORDERS", "o1", 21000, kUp, 1000);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  EXPECT_EQ(O1().info.status, kUp);
  EXPECT_EQ(O1().info.overridden_status, kUnknown);
  EXPECT_EQ(O1().action_type, ActionType::kModified);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 21000);
  EXPECT_FALSE(harness_.registry().OverrideFor("o1").has_value());
}

// Conformance checklist 46.
TEST_F(DecideTest, DeleteOverrideWithoutValueForcesReRegister) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000);
  harness_.DeleteOverride("ORDERS", "o1", 21000);
  EXPECT_EQ(O1().info.status, kUnknown);
  const TimestampMs renewed_at = O1().lease.last_renewal_timestamp;
  const Decision heartbeat = harness_.Renew("ORDERS", "o1", 40000);
  EXPECT_EQ(heartbeat.outcome, Outcome::kNotFound);
  EXPECT_TRUE(heartbeat.events.empty());  // not renewed
  EXPECT_EQ(O1().lease.last_renewal_timestamp, renewed_at);
  EXPECT_EQ(harness_.Register(MakeInstance("ORDERS", "o1", kUp, 2000), 41000).outcome,
            Outcome::kOk);
  EXPECT_EQ(O1().info.status, kUp);
}

TEST_F(DecideTest, DeleteOverrideWithoutStoredOverrideOnlyRenews) {
  harness_.DeleteOverride("ORDERS", "o1", 21000, kDown, 5000);
  EXPECT_EQ(O1().info.status, kUp);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 1000);
  EXPECT_EQ(O1().action_type, ActionType::kAdded);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 21000);
}

// Conformance checklist 62 (StatusUpdate / DeleteStatusOverride batch items).
TEST_F(DecideTest, ReplicatedStatusUpdateThenDeleteOverride) {
  EXPECT_EQ(harness_.SetStatus("ORDERS", "o1", kOos, 20000, 1000, true).outcome, Outcome::kOk);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(harness_.registry().OverrideFor("o1"), kOos);
  EXPECT_EQ(harness_.DeleteOverride("ORDERS", "o1", 21000, kUp, 2000, true).outcome, Outcome::kOk);
  EXPECT_FALSE(harness_.registry().OverrideFor("o1").has_value());
  EXPECT_EQ(O1().info.status, kUp);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 2000);
}

// --- E6 metadata -------------------------------------------------------------

// Conformance checklist 50 / quirk 14.
TEST_F(DecideTest, MetadataUpdateMergesAndReRegisters) {
  harness_.UpdateMetadata("ORDERS", "o1", {{"zone", "z1"}, {"keep", "k"}}, 20000);
  const Decision decision =
      harness_.UpdateMetadata("ORDERS", "o1", {{"zone", "z2"}, {"team", "core"}}, 30000);
  EXPECT_EQ(decision.outcome, Outcome::kOk);
  const std::map<std::string, std::string> expected = {
      {"keep", "k"}, {"team", "core"}, {"zone", "z2"}};
  EXPECT_EQ(O1().info.metadata, expected);
  EXPECT_EQ(O1().lease.registration_timestamp, 30000);
  EXPECT_EQ(O1().lease.last_renewal_timestamp, 30000);
  EXPECT_EQ(O1().lease.service_up_timestamp, 10000);
  EXPECT_EQ(O1().info.last_dirty_timestamp, 1000);
  EXPECT_EQ(O1().info.last_updated_timestamp, 30000);
  EXPECT_EQ(O1().action_type, ActionType::kAdded);
  EXPECT_EQ(harness_.registry().expected_clients(), 2);  // not a new registration
}

TEST_F(DecideTest, MetadataUpdateAfterStatusOverrideShowsAdded) {
  harness_.SetStatus("ORDERS", "o1", kOos, 20000);
  harness_.UpdateMetadata("ORDERS", "o1", {{"a", "b"}}, 30000);
  EXPECT_EQ(O1().action_type, ActionType::kAdded);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(harness_.registry().Delta(30000).at(0).action, ActionType::kAdded);
}

TEST_F(DecideTest, MetadataReRegisterAppliesStoredOverride) {
  // As a re-register, E6 runs the rule chain: an override that reached the
  // map via a peer's heartbeat now decides the status.
  harness_.Renew("ORDERS", "o1", 40000, 2000, true, kOos);
  ASSERT_EQ(O1().info.status, kUp);
  harness_.UpdateMetadata("ORDERS", "o1", {}, 41000);
  EXPECT_EQ(O1().info.status, kOos);
  EXPECT_EQ(O1().info.overridden_status, kOos);
}

// Conformance checklist 51.
TEST_F(DecideTest, MetadataUpdateOfUnknownInstanceIsNotFound) {
  EXPECT_EQ(harness_.UpdateMetadata("ORDERS", "none", {{"a", "b"}}, 20000).outcome,
            Outcome::kNotFound);
}

// --- replication batch items (conformance checklist 60, 63) -------------------

TEST_F(DecideTest, ReplicatedRegisterOfNewInstance) {
  EXPECT_EQ(harness_.Register(MakeInstance("ORDERS", "r1"), 20000, true).outcome, Outcome::kOk);
  EXPECT_NE(harness_.Find("ORDERS", "r1"), nullptr);
  EXPECT_EQ(harness_.Cancel("ORDERS", "unknown", 20000).outcome, Outcome::kNotFound);
}

}  // namespace
}  // namespace logbook::core
