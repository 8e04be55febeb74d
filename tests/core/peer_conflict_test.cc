// The conflict rules for events pulled from a Logbook peer
// (docs/replication.md, "Conflict rules"), applied by Registry::Apply to
// events with source kLogbookPeer. Each test builds the peer's event by hand,
// as node B would decide it, and applies it on node A's registry.
#include <optional>
#include <string>

#include "core/event.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

// An event as node "b" logged it, pulled into this node.
Event FromPeer(EventType type, std::string app, std::string instance_id, TimestampMs timestamp_ms) {
  Event event;
  event.type = type;
  event.source = EventSource::kLogbookPeer;
  event.origin_node = "b";
  event.origin_offset = 7;
  event.timestamp_ms = timestamp_ms;
  event.app = std::move(app);
  event.instance_id = std::move(instance_id);
  return event;
}

Event PeerRegister(InstanceInfo info, TimestampMs timestamp_ms) {
  Event event = FromPeer(EventType::kRegister, info.app, std::string(info.EffectiveId()), timestamp_ms);
  event.instance = std::move(info);
  return event;
}

TEST(PeerRegister, NewerLastDirtyTimestampReplacesTheLocalCopy) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  InstanceInfo newer = MakeInstance("ORDERS", "o1", InstanceStatus::kDown, 2000);
  node.Append(PeerRegister(newer, 6000));
  const InstanceRecord* record = node.registry().Find("ORDERS", "o1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->info.status, InstanceStatus::kDown);
  EXPECT_EQ(record->info.last_dirty_timestamp, 2000);
}

TEST(PeerRegister, OlderLastDirtyTimestampDoesNotReplaceTheLocalCopy) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 3000), 5000);
  const std::string before = node.registry().Serialize();
  const std::uint64_t version = node.registry().version();
  node.Append(PeerRegister(MakeInstance("ORDERS", "o1", InstanceStatus::kDown, 2000), 6000));
  const InstanceRecord* record = node.registry().Find("ORDERS", "o1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->info.status, InstanceStatus::kUp);
  EXPECT_EQ(record->info.last_dirty_timestamp, 3000);
  EXPECT_EQ(record->lease.last_renewal_timestamp, 5000);
  // Nothing but the applied offset moved.
  EXPECT_EQ(node.registry().version(), version);
  EXPECT_NE(before, node.registry().Serialize());  // last_applied_offset did
}

TEST(PeerRegister, UnknownInstanceIsAddedAndCountsInSelfPreservation) {
  Harness node;
  const std::int64_t expected_before = node.registry().expected_clients();
  node.Append(PeerRegister(MakeInstance("ORDERS", "o1"), 6000));
  EXPECT_NE(node.registry().Find("ORDERS", "o1"), nullptr);
  EXPECT_EQ(node.registry().instance_count(), 1);
  // The whole cluster's instances count, as in Eureka.
  EXPECT_EQ(node.registry().expected_clients(), expected_before + 1);
}

TEST(PeerRenew, MovesTheLeaseForwardOnly) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Renew("ORDERS", "o1", 9000);
  node.Append(FromPeer(EventType::kRenew, "ORDERS", "o1", 8000));  // older than ours
  EXPECT_EQ(node.registry().Find("ORDERS", "o1")->lease.last_renewal_timestamp, 9000);
  node.Append(FromPeer(EventType::kRenew, "ORDERS", "o1", 12000));
  EXPECT_EQ(node.registry().Find("ORDERS", "o1")->lease.last_renewal_timestamp, 12000);
}

TEST(PeerRenew, CountsInRenewsLastMinute) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 60000);
  node.Append(FromPeer(EventType::kRenew, "ORDERS", "o1", 61000));
  node.Append(FromPeer(EventType::kRenew, "ORDERS", "o1", 62000));
  EXPECT_EQ(node.registry().RenewsLastMinute(120000), 2);
}

TEST(PeerRenew, UnknownInstanceIsANoOp) {
  Harness node;
  node.Append(FromPeer(EventType::kRenew, "ORDERS", "ghost", 8000));
  EXPECT_EQ(node.registry().instance_count(), 0);
  EXPECT_EQ(node.registry().RenewsLastMinute(60000), 0);
}

// A client registers on A (this node) and then heartbeats on B: B's RENEWs
// arrive here and keep the lease alive; nothing else about the record moves.
TEST(PeerRenew, RegisterOnARenewOnBKeepsTheLeaseOnA) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  const InstanceInfo info_before = node.registry().Find("ORDERS", "o1")->info;
  for (TimestampMs t = 35000; t <= 185000; t += 30000) {
    node.Append(FromPeer(EventType::kRenew, "ORDERS", "o1", t));
  }
  const InstanceRecord* record = node.registry().Find("ORDERS", "o1");
  ASSERT_NE(record, nullptr);
  EXPECT_EQ(record->lease.last_renewal_timestamp, 185000);
  EXPECT_FALSE(record->lease.IsExpired(185000 + 90000));
  EXPECT_EQ(record->info, info_before);
}

TEST(PeerStatusUpdate, AppliesWhenNewerThanTheLastLocalChange) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  Event update = FromPeer(EventType::kStatusUpdate, "ORDERS", "o1", 6000);
  update.status = InstanceStatus::kOutOfService;
  node.Append(update);
  EXPECT_EQ(node.registry().Find("ORDERS", "o1")->info.status, InstanceStatus::kOutOfService);
  EXPECT_EQ(node.registry().OverrideFor("o1"), InstanceStatus::kOutOfService);
}

TEST(PeerStatusUpdate, OlderThanTheLastLocalChangeIsSkipped) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1500), 7000);
  Event update = FromPeer(EventType::kStatusUpdate, "ORDERS", "o1", 6000);
  update.status = InstanceStatus::kOutOfService;
  node.Append(update);
  EXPECT_EQ(node.registry().Find("ORDERS", "o1")->info.status, InstanceStatus::kUp);
  EXPECT_FALSE(node.registry().OverrideFor("o1").has_value());
}

TEST(PeerDeleteStatusOverride, FollowsItsOwnTimestamp) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 8000);
  Event stale = FromPeer(EventType::kDeleteStatusOverride, "ORDERS", "o1", 7000);
  stale.status = InstanceStatus::kUp;
  node.Append(stale);
  EXPECT_EQ(node.registry().OverrideFor("o1"), InstanceStatus::kOutOfService);
  Event fresh = FromPeer(EventType::kDeleteStatusOverride, "ORDERS", "o1", 9000);
  fresh.status = InstanceStatus::kUp;
  node.Append(fresh);
  EXPECT_FALSE(node.registry().OverrideFor("o1").has_value());
  EXPECT_EQ(node.registry().Find("ORDERS", "o1")->info.status, InstanceStatus::kUp);
}

TEST(PeerCancel, Removes) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Append(FromPeer(EventType::kCancel, "ORDERS", "o1", 6000));
  EXPECT_EQ(node.registry().Find("ORDERS", "o1"), nullptr);
}

TEST(PeerEvict, RemovesWhenTheEvictorSawTheSameLease) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);  // expires at 95000
  Event evict = FromPeer(EventType::kEvict, "ORDERS", "o1", 100000);
  evict.evict_reason.lease_expired_at_ms = 95000;
  node.Append(evict);
  EXPECT_EQ(node.registry().Find("ORDERS", "o1"), nullptr);
}

TEST(PeerEvict, KeepsAnInstanceRenewedHereAfterTheEvictorsView) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Renew("ORDERS", "o1", 99000);  // the peer never saw this renewal
  Event evict = FromPeer(EventType::kEvict, "ORDERS", "o1", 100000);
  evict.evict_reason.lease_expired_at_ms = 95000;
  node.Append(evict);
  EXPECT_NE(node.registry().Find("ORDERS", "o1"), nullptr);
}

TEST(PeerEvict, KeepsAnInstanceReRegisteredHereAfterTheEvictorsView) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 2000), 96000);
  Event evict = FromPeer(EventType::kEvict, "ORDERS", "o1", 100000);
  evict.evict_reason.lease_expired_at_ms = 95000;
  node.Append(evict);
  EXPECT_NE(node.registry().Find("ORDERS", "o1"), nullptr);
}

TEST(PeerEvict, LocalEvictIsUnconditional) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  node.Renew("ORDERS", "o1", 99000);
  Event evict = FromPeer(EventType::kEvict, "ORDERS", "o1", 100000);
  evict.source = EventSource::kEvictor;
  evict.origin_node.clear();
  evict.evict_reason.lease_expired_at_ms = 95000;
  node.Append(evict);
  EXPECT_EQ(node.registry().Find("ORDERS", "o1"), nullptr);
}

TEST(PeerRenewalThresholdUpdate, IsNotApplied) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1"), 5000);
  const std::int64_t expected = node.registry().expected_clients();
  Event update = FromPeer(EventType::kRenewalThresholdUpdate, "", "", 6000);
  update.expected_clients = 500;
  node.Append(update);
  EXPECT_EQ(node.registry().expected_clients(), expected);
}

// The rules read only the event and the state: replaying the same log into
// a fresh registry gives the same bytes.
TEST(PeerRules, ReplayIsByteIdentical) {
  Harness node;
  node.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 3000), 5000);
  node.Append(PeerRegister(MakeInstance("ORDERS", "o1", InstanceStatus::kDown, 2000), 6000));
  node.Append(PeerRegister(MakeInstance("PAY", "p1"), 6500));
  node.Renew("ORDERS", "o1", 99000);
  node.Append(FromPeer(EventType::kRenew, "PAY", "p1", 7000));
  Event evict = FromPeer(EventType::kEvict, "ORDERS", "o1", 100000);
  evict.evict_reason.lease_expired_at_ms = 95000;
  node.Append(evict);
  Registry replayed;
  for (const Event& event : node.log()) replayed.Apply(event);
  EXPECT_EQ(replayed.Serialize(), node.registry().Serialize());
}

}  // namespace
}  // namespace logbook::core
