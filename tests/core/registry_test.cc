#include "core/registry.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

constexpr std::int64_t kMinute = 60000;

Event RegisterEvent(InstanceInfo info, TimestampMs now_ms, Offset offset) {
  Event event;
  event.type = EventType::kRegister;
  event.offset = offset;
  event.timestamp_ms = now_ms;
  event.app = info.app;
  event.instance_id = info.EffectiveId();
  event.instance = std::move(info);
  return event;
}

Event TargetEvent(EventType type, std::string app, std::string instance_id, TimestampMs now_ms,
                  Offset offset) {
  Event event;
  event.type = type;
  event.offset = offset;
  event.timestamp_ms = now_ms;
  event.app = std::move(app);
  event.instance_id = std::move(instance_id);
  return event;
}

std::int64_t CountOf(const Registry& registry, InstanceStatus status) {
  return registry.status_counts()[static_cast<std::size_t>(status)];
}

std::vector<std::string> Ids(const std::vector<const InstanceRecord*>& records) {
  std::vector<std::string> ids;
  for (const InstanceRecord* record : records) ids.emplace_back(record->info.EffectiveId());
  return ids;
}

// --- REGISTER ---------------------------------------------------------------

TEST(RegistryRegister, CreatesLeaseAtEventTime) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 5000, 1));
  const InstanceRecord* record = registry.Find("ORDERS", "o1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->lease.registration_timestamp, 5000);
  EXPECT_EQ(record->lease.last_renewal_timestamp, 5000);
  EXPECT_EQ(record->lease.eviction_timestamp, 0);
  EXPECT_EQ(record->lease.service_up_timestamp, 5000);
  EXPECT_EQ(record->lease.duration_ms, 90000);
  EXPECT_EQ(record->info.last_updated_timestamp, 5000);
  EXPECT_EQ(record->info.last_dirty_timestamp, 1000);
  EXPECT_EQ(record->action_type, ActionType::kAdded);
  EXPECT_EQ(record->last_change_offset, 1u);
  EXPECT_EQ(registry.instance_count(), 1);
  EXPECT_EQ(registry.last_applied_offset(), 1u);
}

TEST(RegistryRegister, LeaseDurationFromInstanceOrNinetySeconds) {
  Registry registry;
  InstanceInfo short_lease = MakeInstance("ORDERS", "o1");
  short_lease.duration_secs = 5;
  InstanceInfo no_lease_info = MakeInstance("ORDERS", "o2");
  no_lease_info.duration_secs = 0;
  registry.Apply(RegisterEvent(short_lease, 1000, 1));
  registry.Apply(RegisterEvent(no_lease_info, 1000, 2));
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.duration_ms, 5000);
  EXPECT_EQ(registry.Find("ORDERS", "o2")->lease.duration_ms, 90000);
}

TEST(RegistryRegister, ServiceUpOnlyWhenUpAndKeptAcrossReRegister) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1", InstanceStatus::kStarting), 1000, 1));
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.service_up_timestamp, 0);
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 2000, 2));
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.service_up_timestamp, 2000);
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 3000, 3));
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.service_up_timestamp, 2000);
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.registration_timestamp, 3000);
}

TEST(RegistryRegister, ExpectedClientsGrowOnlyForNewRegistrations) {
  Registry registry;  // Spring default: starts at 1
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o2"), 1000, 2));
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 2000, 3));
  EXPECT_EQ(registry.expected_clients(), 3);
}

TEST(RegistryRegister, ZeroExpectedClientsStaysZero) {
  Registry registry(RegistryOptions{.initial_expected_clients = 0});
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  EXPECT_EQ(registry.expected_clients(), 0);
}

TEST(RegistryRegister, StoresResolvedOverriddenStatus) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "o1", InstanceStatus::kOutOfService);
  info.overridden_status = InstanceStatus::kOutOfService;
  registry.Apply(RegisterEvent(info, 1000, 1));
  EXPECT_EQ(registry.OverrideFor("o1"), InstanceStatus::kOutOfService);
  EXPECT_EQ(registry.overrides().size(), 1u);
}

TEST(RegistryRegister, ReRegisterMovesStatusCountsAndVips) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  InstanceInfo moved = MakeInstance("ORDERS", "o1", InstanceStatus::kDown);
  moved.vip_address = "other-vip";
  registry.Apply(RegisterEvent(moved, 2000, 2));
  EXPECT_EQ(registry.instance_count(), 1);
  EXPECT_EQ(CountOf(registry, InstanceStatus::kUp), 0);
  EXPECT_EQ(CountOf(registry, InstanceStatus::kDown), 1);
  EXPECT_TRUE(registry.ByVip("orders-vip", false).empty());
  EXPECT_EQ(Ids(registry.ByVip("other-vip", false)), std::vector<std::string>{"o1"});
}

// Conformance checklist 8.
TEST(RegistryRegister, IdFallsBackToHostName) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "unused");
  info.instance_id.reset();
  info.host_name = "h9";
  registry.Apply(RegisterEvent(info, 1000, 1));
  const InstanceRecord* record = registry.Find("ORDERS", "h9");
  ASSERT_NE(record, nullptr);
  EXPECT_FALSE(record->info.instance_id.has_value());
  EXPECT_EQ(registry.FindById("h9"), record);
}

// --- lookups and indexes ----------------------------------------------------

TEST(RegistryLookup, FindByIdReturnsFirstApplicationByName) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ZETA", "same"), 1000, 1));
  registry.Apply(RegisterEvent(MakeInstance("ALPHA", "same"), 1000, 2));
  ASSERT_NE(registry.FindById("same"), nullptr);
  EXPECT_EQ(registry.FindById("same")->info.app, "ALPHA");
  EXPECT_EQ(registry.FindById("none"), nullptr);
}

TEST(RegistryLookup, ApplicationsSortedByName) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ZETA", "z1"), 1000, 1));
  registry.Apply(RegisterEvent(MakeInstance("ALPHA", "a1"), 1000, 2));
  std::vector<std::string> names;
  for (const auto& [name, application] : registry.applications()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"ALPHA", "ZETA"}));
}

// Conformance checklist 26.
TEST(RegistryVip, MatchIsExactAndCaseSensitive) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  EXPECT_EQ(Ids(registry.ByVip("orders-vip", false)), std::vector<std::string>{"o1"});
  EXPECT_TRUE(registry.ByVip("ORDERS-VIP", false).empty());
  EXPECT_TRUE(registry.ByVip("orders", false).empty());
}

// Conformance checklist 27.
TEST(RegistryVip, UnknownVipIsEmpty) {
  Registry registry;
  EXPECT_TRUE(registry.ByVip("unknown", false).empty());
}

// Conformance checklist 28.
TEST(RegistryVip, CommaSeparatedVipsEachMatch) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "o1");
  info.vip_address = "a,orders-vip";
  registry.Apply(RegisterEvent(info, 1000, 1));
  EXPECT_EQ(Ids(registry.ByVip("a", false)), std::vector<std::string>{"o1"});
  EXPECT_EQ(Ids(registry.ByVip("orders-vip", false)), std::vector<std::string>{"o1"});
}

TEST(RegistryVip, TokensAreNotTrimmed) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "o1");
  info.vip_address = "a, b";
  registry.Apply(RegisterEvent(info, 1000, 1));
  EXPECT_TRUE(registry.ByVip("b", false).empty());
  EXPECT_EQ(Ids(registry.ByVip(" b", false)), std::vector<std::string>{"o1"});
}

TEST(RegistryVip, SecureVipIsSeparateIndexSortedByAppAndId) {
  Registry registry;
  InstanceInfo b = MakeInstance("BILLING", "b1");
  b.secure_vip_address = "s";
  InstanceInfo a2 = MakeInstance("ALPHA", "a2");
  a2.secure_vip_address = "s";
  InstanceInfo a1 = MakeInstance("ALPHA", "a1");
  a1.secure_vip_address = "s";
  registry.Apply(RegisterEvent(b, 1000, 1));
  registry.Apply(RegisterEvent(a2, 1000, 2));
  registry.Apply(RegisterEvent(a1, 1000, 3));
  EXPECT_EQ(Ids(registry.ByVip("s", true)), (std::vector<std::string>{"a1", "a2", "b1"}));
  EXPECT_TRUE(registry.ByVip("s", false).empty());
}

// --- RENEW ------------------------------------------------------------------

TEST(RegistryRenew, UnknownTargetChangesOnlyAppliedOffset) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  const std::uint64_t version = registry.version();
  registry.Apply(TargetEvent(EventType::kRenew, "ORDERS", "nope", 61000, 2));
  EXPECT_EQ(registry.version(), version);
  EXPECT_EQ(registry.last_applied_offset(), 2u);
  EXPECT_EQ(registry.RenewsLastMinute(130000), 0);
}

TEST(RegistryRenew, LastRenewalIsTheRealRenewalTime) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  const std::uint64_t version = registry.version();
  registry.Apply(TargetEvent(EventType::kRenew, "ORDERS", "o1", 31000, 2));
  const InstanceRecord* record = registry.Find("ORDERS", "o1");
  EXPECT_EQ(record->lease.last_renewal_timestamp, 31000);
  EXPECT_EQ(record->lease.registration_timestamp, 1000);
  EXPECT_EQ(record->lease.ExpiresAt(), 121000);
  EXPECT_GT(registry.version(), version);
}

TEST(RegistryRenew, RenewStatusStoredWithoutTouchingDirtyOrAction) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  Event renew = TargetEvent(EventType::kRenew, "ORDERS", "o1", 2000, 2);
  renew.renew_status = InstanceStatus::kOutOfService;
  registry.Apply(renew);
  const InstanceRecord* record = registry.Find("ORDERS", "o1");
  EXPECT_EQ(record->info.status, InstanceStatus::kOutOfService);
  EXPECT_EQ(record->info.last_dirty_timestamp, 1000);
  EXPECT_EQ(record->info.last_updated_timestamp, 1000);
  EXPECT_EQ(record->action_type, ActionType::kAdded);
  EXPECT_EQ(CountOf(registry, InstanceStatus::kOutOfService), 1);
  EXPECT_EQ(CountOf(registry, InstanceStatus::kUp), 0);
}

TEST(RegistryRenew, OverrideToStoreGoesIntoOverrideMap) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  Event renew = TargetEvent(EventType::kRenew, "ORDERS", "o1", 2000, 2);
  renew.override_to_store = InstanceStatus::kOutOfService;
  registry.Apply(renew);
  EXPECT_EQ(registry.OverrideFor("o1"), InstanceStatus::kOutOfService);
  EXPECT_EQ(registry.Find("ORDERS", "o1")->info.status, InstanceStatus::kUp);
}

TEST(RegistryRenewMeter, CountsThePreviousCompleteMinute) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  Offset offset = 2;
  for (int i = 0; i < 3; ++i) {
    registry.Apply(
        TargetEvent(EventType::kRenew, "ORDERS", "o1", 10 * kMinute + i * 1000, offset++));
  }
  for (int i = 0; i < 2; ++i) {
    registry.Apply(
        TargetEvent(EventType::kRenew, "ORDERS", "o1", 11 * kMinute + i * 1000, offset++));
  }
  EXPECT_EQ(registry.RenewsLastMinute(10 * kMinute + 59999), 0);  // minute 9
  EXPECT_EQ(registry.RenewsLastMinute(11 * kMinute), 3);
  EXPECT_EQ(registry.RenewsLastMinute(12 * kMinute + 30000), 2);
  EXPECT_EQ(registry.RenewsLastMinute(13 * kMinute), 0);
}

TEST(RegistryRenewMeter, NonCountingRenewalsAreIgnored) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  Event renew = TargetEvent(EventType::kRenew, "ORDERS", "o1", 10 * kMinute, 2);
  renew.counts_as_renewal = false;
  registry.Apply(renew);
  EXPECT_EQ(registry.Find("ORDERS", "o1")->lease.last_renewal_timestamp, 10 * kMinute);
  EXPECT_EQ(registry.RenewsLastMinute(11 * kMinute), 0);
}

TEST(RegistryRenewMeter, SilentMinuteEmptiesPreviousBucket) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  registry.Apply(TargetEvent(EventType::kRenew, "ORDERS", "o1", 10 * kMinute, 2));
  registry.Apply(TargetEvent(EventType::kRenew, "ORDERS", "o1", 12 * kMinute, 3));
  EXPECT_EQ(registry.RenewsLastMinute(12 * kMinute), 0);  // minute 11 was silent
  EXPECT_EQ(registry.RenewsLastMinute(13 * kMinute), 1);
}

TEST(RegistryRenewMeter, StatusUpdatesDoNotCount) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 10 * kMinute);
  harness.DeleteOverride("ORDERS", "o1", 10 * kMinute + 1, InstanceStatus::kUp);
  EXPECT_EQ(harness.registry().RenewsLastMinute(11 * kMinute), 0);
}

// --- CANCEL / EVICT ---------------------------------------------------------

TEST(RegistryCancel, RemovesInstanceOverrideAndIndexes) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "o1", InstanceStatus::kOutOfService);
  info.overridden_status = InstanceStatus::kOutOfService;
  registry.Apply(RegisterEvent(info, 1000, 1));
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o2"), 1000, 2));
  registry.Apply(TargetEvent(EventType::kCancel, "ORDERS", "o1", 2000, 3));
  EXPECT_EQ(registry.Find("ORDERS", "o1"), nullptr);
  EXPECT_FALSE(registry.OverrideFor("o1").has_value());
  EXPECT_EQ(registry.instance_count(), 1);
  EXPECT_EQ(CountOf(registry, InstanceStatus::kOutOfService), 0);
  EXPECT_EQ(Ids(registry.ByVip("orders-vip", false)), std::vector<std::string>{"o2"});
}

TEST(RegistryCancel, RemovesOverrideEvenWithoutInstance) {
  Registry registry;
  InstanceInfo info = MakeInstance("ORDERS", "shared", InstanceStatus::kOutOfService);
  info.overridden_status = InstanceStatus::kOutOfService;
  registry.Apply(RegisterEvent(info, 1000, 1));
  // Overrides are keyed by id only: cancelling BILLING/shared drops it too.
  registry.Apply(TargetEvent(EventType::kCancel, "BILLING", "shared", 2000, 2));
  EXPECT_FALSE(registry.OverrideFor("shared").has_value());
  EXPECT_NE(registry.Find("ORDERS", "shared"), nullptr);
  EXPECT_TRUE(registry.Delta(2000).size() == 1);  // only the register
}

TEST(RegistryCancel, ExpectedClientsShrinkOnlyWhenInstanceExisted) {
  Registry registry(RegistryOptions{.initial_expected_clients = 1});
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  EXPECT_EQ(registry.expected_clients(), 2);
  registry.Apply(TargetEvent(EventType::kCancel, "ORDERS", "nope", 2000, 2));
  EXPECT_EQ(registry.expected_clients(), 2);
  registry.Apply(TargetEvent(EventType::kEvict, "ORDERS", "o1", 2000, 3));
  EXPECT_EQ(registry.expected_clients(), 1);
}

TEST(RegistryCancel, ExpectedClientsNeverGoBelowZero) {
  Registry registry(RegistryOptions{.initial_expected_clients = 0});
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  registry.Apply(TargetEvent(EventType::kCancel, "ORDERS", "o1", 2000, 2));
  EXPECT_EQ(registry.expected_clients(), 0);
}

// Conformance checklist 54.
TEST(RegistryCancel, LastInstanceRemovesApplication) {
  Registry registry;
  registry.Apply(RegisterEvent(MakeInstance("ORDERS", "o1"), 1000, 1));
  registry.Apply(TargetEvent(EventType::kCancel, "ORDERS", "o1", 2000, 2));
  EXPECT_EQ(registry.FindApplication("ORDERS"), nullptr);
  EXPECT_TRUE(registry.applications().empty());
  EXPECT_EQ(registry.instance_count(), 0);
}

// --- RENEWAL_THRESHOLD_UPDATE -----------------------------------------------

TEST(RegistryThreshold, UpdateSetsExpectedClients) {
  Registry registry;
  Event update = TargetEvent(EventType::kRenewalThresholdUpdate, "", "", 1000, 1);
  update.expected_clients = 7;
  registry.Apply(update);
  EXPECT_EQ(registry.expected_clients(), 7);
}

// --- delta window -----------------------------------------------------------

struct Shown {
  std::string id;
  ActionType action;
  bool operator==(const Shown&) const = default;
};

std::vector<Shown> DeltaOf(const Registry& registry, TimestampMs now_ms) {
  std::vector<Shown> shown;
  for (const DeltaEntry& entry : registry.Delta(now_ms)) {
    EXPECT_NE(entry.record, nullptr);
    EXPECT_EQ(entry.record->action_type, entry.action);
    shown.push_back({entry.instance_id, entry.action});
  }
  return shown;
}

// Conformance checklist 55.
TEST(RegistryDelta, RegisterShowsAdded) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o2"), 1000);
  EXPECT_EQ(DeltaOf(harness.registry(), 2000), (std::vector<Shown>{{"o2", ActionType::kAdded}}));
}

// Conformance checklist 56.
TEST(RegistryDelta, CancelShowsDeletedOnceWithRemovedCopy) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o2"), 1000);
  harness.Cancel("ORDERS", "o2", 2000);
  const std::vector<DeltaEntry> delta = harness.registry().Delta(3000);
  ASSERT_EQ(delta.size(), 1u);
  EXPECT_EQ(delta[0].action, ActionType::kDeleted);
  EXPECT_EQ(delta[0].record->lease.eviction_timestamp, 2000);
  EXPECT_EQ(delta[0].record->info.host_name, "host-o2");
}

// Conformance checklist 57.
TEST(RegistryDelta, StatusOverrideShowsModifiedOnce) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o3"), 1000);
  harness.SetStatus("ORDERS", "o3", InstanceStatus::kOutOfService, 2000);
  EXPECT_EQ(DeltaOf(harness.registry(), 3000), (std::vector<Shown>{{"o3", ActionType::kModified}}));
}

// Conformance checklist 58 (Logbook's window is exact: 180 s, not 180–210 s).
TEST(RegistryDelta, EntriesOlderThanRetentionAreAbsent) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "old"), 1000);
  harness.Register(MakeInstance("ORDERS", "new"), 100000);
  EXPECT_EQ(DeltaOf(harness.registry(), 181000).size(), 2u);
  EXPECT_EQ(DeltaOf(harness.registry(), 181001), (std::vector<Shown>{{"new", ActionType::kAdded}}));
  EXPECT_TRUE(DeltaOf(harness.registry(), 280001).empty());
}

TEST(RegistryDelta, RenewalsAreNotChanges) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.Renew("ORDERS", "o1", 200000);
  EXPECT_TRUE(harness.registry().Delta(200000).empty());
}

TEST(RegistryDelta, FirstTouchOrderLatestMeaning) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "a"), 1000);
  harness.Register(MakeInstance("ORDERS", "b"), 2000);
  harness.SetStatus("ORDERS", "a", InstanceStatus::kDown, 3000);
  harness.Cancel("ORDERS", "b", 4000);
  EXPECT_EQ(DeltaOf(harness.registry(), 5000),
            (std::vector<Shown>{{"a", ActionType::kModified}, {"b", ActionType::kDeleted}}));
}

TEST(RegistryDelta, RemovedThenReRegisteredShowsCurrent) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.Cancel("ORDERS", "o1", 2000);
  harness.Register(MakeInstance("ORDERS", "o1"), 3000);
  const std::vector<DeltaEntry> delta = harness.registry().Delta(4000);
  ASSERT_EQ(delta.size(), 1u);
  EXPECT_EQ(delta[0].action, ActionType::kAdded);
  EXPECT_EQ(delta[0].record, harness.Find("ORDERS", "o1"));
}

TEST(RegistryDelta, SameIdInTwoAppsAppearsOncePerApp) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "x"), 1000);
  harness.Register(MakeInstance("BILLING", "x"), 1000);
  const std::vector<DeltaEntry> delta = harness.registry().Delta(2000);
  ASSERT_EQ(delta.size(), 2u);
  EXPECT_EQ(delta[0].app, "ORDERS");
  EXPECT_EQ(delta[1].app, "BILLING");
}

// --- version and serialization ----------------------------------------------

TEST(RegistryVersion, ChangesOnEveryStateChangeIncludingRenewals) {
  Harness harness;
  std::uint64_t version = harness.registry().version();
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  EXPECT_GT(harness.registry().version(), version);
  version = harness.registry().version();
  harness.Renew("ORDERS", "o1", 2000);
  EXPECT_GT(harness.registry().version(), version);
  version = harness.registry().version();
  harness.SetStatus("ORDERS", "o1", InstanceStatus::kUp, 3000);  // equal status: lease only
  EXPECT_GT(harness.registry().version(), version);
}

TEST(RegistrySerialize, SameEventsSameBytes) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 2000);
  harness.Renew("ORDERS", "o1", 61000);
  Registry replica;
  for (const Event& event : harness.log()) replica.Apply(event);
  EXPECT_EQ(replica.Serialize(), harness.registry().Serialize());
}

TEST(RegistrySerialize, EveryFieldChangesTheBytes) {
  Registry a;
  Registry b;
  InstanceInfo info = MakeInstance("ORDERS", "o1");
  a.Apply(RegisterEvent(info, 1000, 1));
  info.metadata["zone"] = "z1";
  b.Apply(RegisterEvent(info, 1000, 1));
  EXPECT_NE(a.Serialize(), b.Serialize());
  Registry c;
  info.metadata.clear();
  info.asg_name = "";
  c.Apply(RegisterEvent(info, 1000, 1));
  EXPECT_NE(a.Serialize(), c.Serialize());  // "" and absent differ
}

}  // namespace
}  // namespace logbook::core
