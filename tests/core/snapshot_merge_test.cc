// The merge rule for a peer's snapshot (docs/replication.md, "Merging a
// peer's snapshot"), one test per branch: node A ("local") decides against
// node B's registry ("peer"), both built through the real decide/apply path,
// and the decided INSTANCE_SET events are applied to A as the pipeline would.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/event.h"
#include "core/registry.h"
#include "core/snapshot_merge.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

MergeSource FromB(TimestampMs snapshot_time_ms, TimestampMs now_ms) {
  return MergeSource{"b", 40, snapshot_time_ms, now_ms};
}

// What merging `peer`'s copy of (app, id) into `local` decides.
std::optional<Event> Decide(const Harness& local, const Harness& peer, std::string_view app,
                            std::string_view id, const MergeSource& source) {
  const InstanceRecord* theirs = peer.Find(app, id);
  EXPECT_NE(theirs, nullptr);
  return DecideMergedInstance(local.registry(), RecentRemovalsOf(local.registry()), *theirs,
                              peer.registry().OverrideFor(id), source);
}

TEST(SnapshotMerge, InstanceWeLackIsAddedExactlyWithItsOverride) {
  Harness local;
  Harness peer;
  peer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  peer.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 6000);
  peer.Renew("ORDERS", "o1", 7000);
  std::optional<Event> event = Decide(local, peer, "ORDERS", "o1", FromB(7000, 9000));
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->type, EventType::kInstanceSet);
  EXPECT_EQ(event->origin_node, "b");
  EXPECT_EQ(event->origin_offset, 40u);
  EXPECT_EQ(event->timestamp_ms, 9000);
  local.Append(*event);
  const InstanceRecord* merged = local.Find("ORDERS", "o1");
  ASSERT_NE(merged, nullptr);
  const InstanceRecord& theirs = *peer.Find("ORDERS", "o1");
  // Every field as the peer holds it: timestamps, lease, action type.
  EXPECT_EQ(merged->info, theirs.info);
  EXPECT_EQ(merged->lease, theirs.lease);
  EXPECT_EQ(merged->action_type, theirs.action_type);
  EXPECT_EQ(local.registry().OverrideFor("o1"), InstanceStatus::kOutOfService);
  EXPECT_EQ(local.registry().instance_count(), 1);
  // A delta client sees it.
  EXPECT_EQ(local.registry().Delta(9000).size(), 1u);
}

TEST(SnapshotMerge, InstanceWeRemovedAfterThePeersCopyIsNotBroughtBack) {
  Harness local;
  Harness peer;
  peer.Register(MakeInstance("ORDERS", "o1"), 5000);
  local.Register(MakeInstance("ORDERS", "o1"), 5000);
  local.Cancel("ORDERS", "o1", 8000);  // a cancel the peer had not seen
  EXPECT_FALSE(Decide(local, peer, "ORDERS", "o1", FromB(5000, 9000)).has_value());
}

// A merge reads the window's removals once and then only what each task
// finds appended since: the result is the whole window's, removals made
// meanwhile included, and a registry that no longer continues the count
// (a rebuild) is read whole again.
TEST(SnapshotMerge, RemovalsReadIncrementallyMatchTheWholeWindow) {
  Harness local;
  for (int i = 0; i < 4; ++i) {
    local.Register(MakeInstance("ORDERS", "o" + std::to_string(i)), 5000 + i);
  }
  local.Cancel("ORDERS", "o0", 6000);
  std::optional<std::uint64_t> seen;
  RecentRemovals removals;
  UpdateRecentRemovals(local.registry(), &seen, &removals);
  EXPECT_EQ(removals, RecentRemovalsOf(local.registry()));
  ASSERT_EQ(removals.size(), 1u);
  EXPECT_EQ(*seen, local.registry().window_appended());

  local.Register(MakeInstance("ORDERS", "o9"), 6500);
  local.Cancel("ORDERS", "o1", 7000);
  local.Cancel("ORDERS", "o9", 7500);
  UpdateRecentRemovals(local.registry(), &seen, &removals);
  EXPECT_EQ(removals, RecentRemovalsOf(local.registry()));
  EXPECT_EQ(removals.size(), 3u);
  EXPECT_EQ((removals.at({"ORDERS", "o9"})), 7500);

  // A count ahead of the registry's (it was rebuilt): read whole again.
  Harness rebuilt;
  rebuilt.Register(MakeInstance("ORDERS", "o5"), 5000);
  rebuilt.Cancel("ORDERS", "o5", 5100);
  UpdateRecentRemovals(rebuilt.registry(), &seen, &removals);
  EXPECT_EQ(removals, RecentRemovalsOf(rebuilt.registry()));
  EXPECT_EQ(removals.size(), 1u);
}

TEST(SnapshotMerge, NewerRegistrationReplacesOurs) {
  Harness local;
  Harness peer;
  local.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  peer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kDown, 2000), 6000);
  std::optional<Event> event = Decide(local, peer, "ORDERS", "o1", FromB(6000, 9000));
  ASSERT_TRUE(event.has_value());
  local.Append(*event);
  EXPECT_EQ(local.Find("ORDERS", "o1")->info.status, InstanceStatus::kDown);
  EXPECT_EQ(local.Find("ORDERS", "o1")->info.last_dirty_timestamp, 2000);
}

TEST(SnapshotMerge, OlderRegistrationKeepsOursButMovesTheLeaseForward) {
  Harness local;
  Harness peer;
  local.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 3000), 5000);
  peer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kDown, 2000), 4000);
  peer.Renew("ORDERS", "o1", 8000);
  std::optional<Event> event = Decide(local, peer, "ORDERS", "o1", FromB(8000, 9000));
  ASSERT_TRUE(event.has_value());
  local.Append(*event);
  const InstanceRecord* merged = local.Find("ORDERS", "o1");
  EXPECT_EQ(merged->info.status, InstanceStatus::kUp);
  EXPECT_EQ(merged->info.last_dirty_timestamp, 3000);
  EXPECT_EQ(merged->lease.last_renewal_timestamp, 8000);
}

TEST(SnapshotMerge, OlderCopyWithAnOlderLeaseIsKept) {
  Harness local;
  Harness peer;
  peer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 4000);
  local.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 4000);
  local.Renew("ORDERS", "o1", 8000);  // the lease never moves back
  EXPECT_FALSE(Decide(local, peer, "ORDERS", "o1", FromB(4000, 9000)).has_value());
  // And the same copy on both sides is kept as well.
  Harness same;
  same.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 4000);
  EXPECT_FALSE(Decide(same, peer, "ORDERS", "o1", FromB(4000, 9000)).has_value());
}

TEST(SnapshotMerge, OverrideFollowsItsOwnTimestamp) {
  // Same registration; the peer set an override later than our last
  // change: its record and override win.
  Harness local;
  Harness peer;
  local.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  peer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  peer.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 7000);
  std::optional<Event> event = Decide(local, peer, "ORDERS", "o1", FromB(7000, 9000));
  ASSERT_TRUE(event.has_value());
  local.Append(*event);
  EXPECT_EQ(local.Find("ORDERS", "o1")->info.status, InstanceStatus::kOutOfService);
  EXPECT_EQ(local.registry().OverrideFor("o1"), InstanceStatus::kOutOfService);

  // Our override removal is later than the peer's override: ours stays.
  Harness newer;
  newer.Register(MakeInstance("ORDERS", "o1", InstanceStatus::kUp, 1000), 5000);
  newer.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 6000);
  newer.DeleteOverride("ORDERS", "o1", 8000, InstanceStatus::kUp);
  EXPECT_FALSE(Decide(newer, peer, "ORDERS", "o1", FromB(7000, 9000)).has_value());
  EXPECT_EQ(newer.registry().OverrideFor("o1"), std::nullopt);
}

TEST(SnapshotMerge, OursLastChangedAtThePeerAndGoneFromItsSnapshotIsRemoved) {
  Harness local;
  local.Register(MakeInstance("ORDERS", "o1"), 5000);
  local.SetStatus("ORDERS", "o1", InstanceStatus::kOutOfService, 5500);
  std::optional<Event> event = DecideMergedRemoval(local.registry(), "ORDERS", "o1", FromB(6000, 9000));
  ASSERT_TRUE(event.has_value());
  EXPECT_FALSE(event->record.has_value());
  local.Append(*event);
  EXPECT_EQ(local.Find("ORDERS", "o1"), nullptr);
  EXPECT_EQ(local.registry().OverrideFor("o1"), std::nullopt);  // as a cancel does
  // A delta client sees it deleted.
  const std::vector<DeltaEntry> delta = local.registry().Delta(9000);
  ASSERT_EQ(delta.size(), 1u);
  EXPECT_EQ(delta[0].action, ActionType::kDeleted);
}

TEST(SnapshotMerge, OursRenewedOrChangedAfterTheSnapshotIsNotRemoved) {
  Harness renewed;
  renewed.Register(MakeInstance("ORDERS", "o1"), 5000);
  renewed.Renew("ORDERS", "o1", 7000);
  EXPECT_FALSE(DecideMergedRemoval(renewed.registry(), "ORDERS", "o1", FromB(6000, 9000)).has_value());
  Harness changed;
  changed.Register(MakeInstance("ORDERS", "o1"), 5000);
  changed.UpdateMetadata("ORDERS", "o1", {{"zone", "b"}}, 6500);
  EXPECT_FALSE(DecideMergedRemoval(changed.registry(), "ORDERS", "o1", FromB(6000, 9000)).has_value());
  EXPECT_FALSE(DecideMergedRemoval(changed.registry(), "ORDERS", "o2", FromB(6000, 9000)).has_value());
}

TEST(SnapshotMerge, AbsentInstancesAreCollectedInChunksWithTheirLastChange) {
  Harness local;
  Harness peer;
  for (const char* id : {"a1", "a2", "a3"}) local.Register(MakeInstance("APP", id), 5000);
  local.Register(MakeInstance("BPP", "b1"), 5000);
  peer.Register(MakeInstance("APP", "a2"), 5000);
  std::vector<AbsentInstance> absent;
  std::optional<std::pair<std::string, std::string>> after;
  int chunks = 0;
  do {
    after = CollectAbsentInstances(local.registry(), peer.registry(), after, 2, &absent);
    ++chunks;
  } while (after.has_value());
  EXPECT_EQ(chunks, 2);
  ASSERT_EQ(absent.size(), 3u);
  EXPECT_EQ(absent[0], (AbsentInstance{"APP", "a1", 1}));
  EXPECT_EQ(absent[1], (AbsentInstance{"APP", "a3", 3}));
  EXPECT_EQ(absent[2], (AbsentInstance{"BPP", "b1", 4}));
}

TEST(SnapshotMerge, InstanceSetReplaysToTheSameRegistry) {
  Harness local;
  Harness peer;
  local.Register(MakeInstance("ORDERS", "o1"), 5000);
  peer.Register(MakeInstance("ORDERS", "o2"), 5000);
  peer.SetStatus("ORDERS", "o2", InstanceStatus::kDown, 6000);
  local.Append(*Decide(local, peer, "ORDERS", "o2", FromB(6000, 9000)));
  local.Append(*DecideMergedRemoval(local.registry(), "ORDERS", "o1", FromB(6000, 9100)));
  Registry replayed;
  for (const Event& event : local.log()) replayed.Apply(event);
  EXPECT_EQ(replayed.Serialize(), local.registry().Serialize());
  EXPECT_EQ(SnapshotTime(peer.registry()), 6000);
}

}  // namespace
}  // namespace logbook::core
