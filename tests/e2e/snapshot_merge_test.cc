// Merging a peer's snapshot transfer into a non-empty node when the peer's
// log cannot be pulled (docs/replication.md, "Merging a peer's snapshot"):
// real processes, a peer whose retention overtook the cursor (410) and a
// wiped peer whose new log starts after its bootstrap snapshot; a node
// killed mid-merge; an instance from a third node that the peer's snapshot
// lacks.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/cluster_support.h"
#include "tests/testing/tcp_proxy.h"

namespace logbook::e2e {
namespace {

using logbook::testing::TcpProxy;

constexpr auto kConverge = std::chrono::seconds(15);

// Retention that overtakes a stopped peer's cursor within a second:
// snapshots every few events let it drop everything older than 100 ms.
const std::vector<std::string> kFastRetention = {
    "--set", "logbook.log.renew-retention=100ms", "--set",
    "logbook.log.retention-interval-ms=100",      "--set",
    "logbook.snapshot.every-events=5"};

Registration Instance(const std::string& app, int n) {
  return R(app, absl::StrCat(app, "-", n), absl::StrCat("h", n),
           absl::StrCat("10.0.0.", n % 250 + 1));
}

std::int64_t CursorFor(Cluster& cluster, int node, const std::string& peer_id) {
  const Json status(cluster.Get(node, "/logbook/v1/status").body);
  for (std::size_t i = 0; i < status.SizeAt("/peers").value_or(0); ++i) {
    const std::string base = absl::StrCat("/peers/", i);
    if (status.StringAt(base + "/node_id") == peer_id) return status.IntAt(base + "/cursor").value_or(0);
  }
  return 0;
}

std::int64_t FirstOffset(Cluster& cluster, int node) {
  return Json(cluster.Get(node, "/logbook/v1/status").body).IntAt("/log/first_offset").value_or(0);
}

bool AllAgree(Cluster& cluster) {
  if (!cluster.Converged()) return false;
  const std::string overrides = cluster.Get(0, "/eureka/v2/serverinfo/statusoverrides").body;
  for (int i = 1; i < cluster.size(); ++i) {
    if (cluster.Get(i, "/eureka/v2/serverinfo/statusoverrides").body != overrides) return false;
  }
  return true;
}

// The merge's own events share the snapshot's (origin, offset); every other
// event still retained is in the log once.
bool OtherEventsUnique(Cluster& cluster, int node) {
  std::set<std::pair<std::string, std::int64_t>> seen;
  std::int64_t from = FirstOffset(cluster, node);
  for (;;) {
    const HttpResult result = cluster.Get(node, absl::StrCat("/logbook/v1/events?limit=1000&from=", from));
    if (result.status != 200) return false;
    const Json page(result.body);
    const std::size_t count = page.SizeAt("/events").value_or(0);
    for (std::size_t k = 0; k < count; ++k) {
      const std::string base = absl::StrCat("/events/", k);
      if (page.StringAt(base + "/type") == "INSTANCE_SET") continue;
      if (!seen.emplace(page.StringAt(base + "/origin").value_or(""),
                        page.IntAt(base + "/origin_offset").value_or(-1))
               .second) {
        ADD_FAILURE() << "twice: " << page.StringAt(base + "/origin").value_or("") << "/"
                      << page.IntAt(base + "/origin_offset").value_or(-1) << " "
                      << page.StringAt(base + "/type").value_or("");
        return false;
      }
    }
    const std::int64_t next = page.IntAt("/next").value_or(from);
    if (count == 0 || next == from) return true;
    from = next;
  }
}

// A merge slowed to one instance per loop task and a pause between tasks:
// seconds long for a few dozen instances, so a kill lands inside it.
const std::vector<std::string> kSlowMerge = {
    "--set", "logbook.replication.test-only-merge-task-instances=1", "--set",
    "logbook.replication.test-only-merge-pause-ms=100"};

std::string PeerState(Cluster& cluster, int node, int peer_index) {
  const Json status(cluster.Get(node, "/logbook/v1/status").body);
  return status.StringAt(absl::StrCat("/peers/", peer_index, "/state")).value_or("");
}

// INSTANCE_SET events durable in a running node's log (it serves only
// durable events), or -1 when the log cannot be read from offset 1.
std::int64_t ServedInstanceSets(Cluster& cluster, int node) {
  std::int64_t count = 0;
  std::int64_t from = 1;
  for (;;) {
    const HttpResult result = cluster.Get(
        node, absl::StrCat("/logbook/v1/events?types=INSTANCE_SET&limit=1000&from=", from));
    if (result.status != 200) return -1;
    const Json page(result.body);
    const std::size_t events = page.SizeAt("/events").value_or(0);
    count += static_cast<std::int64_t>(events);
    const std::int64_t next = page.IntAt("/next").value_or(from);
    if (events == 0 || next == from) return count;
    from = next;
  }
}

// The INSTANCE_SET events in a data dir's log, read offline by the log
// tool, counted per (app, instance id).
std::map<std::pair<std::string, std::string>, int> LoggedInstanceSets(const std::string& dir) {
  std::string output;
  EXPECT_EQ(logbook::testing::RunLogbook({"log", "dump", dir, "--type", "INSTANCE_SET"}, &output),
            0)
      << output;
  std::map<std::pair<std::string, std::string>, int> sets;
  for (const absl::string_view piece : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    const std::string line(piece);
    const Json event(line);
    if (!event.ok()) {
      ADD_FAILURE() << "not an event line: " << line;
      continue;
    }
    EXPECT_EQ(event.StringAt("/type"), "INSTANCE_SET") << line;
    ++sets[{event.StringAt("/app").value_or(""), event.StringAt("/instance_id").value_or("")}];
  }
  return sets;
}

int Total(const std::map<std::pair<std::string, std::string>, int>& sets) {
  int total = 0;
  for (const auto& [key, count] : sets) total += count;
  return total;
}

// The merge's summary line for `peer` in a node's output ("" if none).
std::string MergeLine(const std::string& output, const std::string& peer) {
  const std::string needle = "merged the snapshot of peer " + peer;
  for (const absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StrContains(line, needle)) return std::string(line);
  }
  return "";
}

bool MergedOnce(Cluster& cluster, int node, int peer_index) {
  const Json status(cluster.Get(node, "/logbook/v1/status").body);
  return status.StringAt(absl::StrCat("/peers/", peer_index, "/state")) == "streaming" &&
         status.IntAt(absl::StrCat("/peers/", peer_index, "/snapshots_merged")).value_or(0) >= 1;
}

// What n0 does while n1 is down: registrations PAYMENTS-6 up to
// `payments_end`, two cancels, an override and a metadata change; then it
// waits until n0's retention has dropped n1's `cursor`, so n1 must merge.
void ChangeN0WhileN1IsDown(Cluster& cluster, int payments_end, std::int64_t cursor) {
  for (int n = 6; n < payments_end; ++n) {
    ASSERT_EQ(cluster.Register(0, Instance("PAYMENTS", n)), 204);
  }
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-1").status, 200);
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-2").status, 200);
  EXPECT_EQ(
      cluster.Request(0, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-3/status?value=OUT_OF_SERVICE")
          .status,
      200);
  EXPECT_EQ(cluster.Request(0, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-4/metadata?zone=b").status,
            200);
  ASSERT_TRUE(Await([&] { return FirstOffset(cluster, 0) > cursor; }, kConverge))
      << cluster.Get(0, "/logbook/v1/status").body;
}

TEST(SnapshotMerge, PeerRetentionPassedTheCursorWhileDownIsMergedAndPulledOn) {
  Cluster cluster(2, kFastRetention);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 6; ++n) ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
  // n1's own instance: never the merge's to remove.
  ASSERT_EQ(cluster.Register(1, Instance("LOCAL", 1)), 204);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 7; }, kConverge));
  const std::int64_t cursor = CursorFor(cluster, 1, "n0");
  ASSERT_GT(cursor, 1);
  // On a slow machine n0's fast retention can pass n1's cursor while they
  // first converge, and n1 then merges once already: only the merge after
  // the restart is this test's to count.
  const auto orders3_sets = [&] {
    return Json(cluster
                    .Get(1, "/logbook/v1/history?app=ORDERS&instance=ORDERS-3&types=INSTANCE_SET")
                    .body)
        .SizeAt("/events")
        .value_or(0);
  };
  const std::size_t orders3_sets_before = orders3_sets();
  cluster.Kill(1);

  // While n1 is down n0 registers, cancels and overrides, and its
  // retention drops the offsets n1 would need.
  ASSERT_NO_FATAL_FAILURE(ChangeN0WhileN1IsDown(cluster, 16, cursor));

  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  std::string apps;
  ASSERT_TRUE(Await([&] { return AllAgree(cluster); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << cluster.Get(1, "/logbook/v1/status").body
      << cluster.process(1).Output();
  EXPECT_EQ(cluster.InstanceCount(1), 15);  // 6 - 2 cancelled + 10 + LOCAL-1
  ASSERT_TRUE(Await([&] { return MergedOnce(cluster, 1, 0); }, kConverge))
      << cluster.Get(1, "/logbook/v1/status").body;
  const std::string output = cluster.process(1).Output();
  EXPECT_NE(output.find("merged the snapshot of peer n0"), std::string::npos) << output;
  EXPECT_NE(output.find("removed=2"), std::string::npos) << output;
  EXPECT_TRUE(OtherEventsUnique(cluster, 1));
  // The merge is in n1's log as events: the audit history shows it.
  EXPECT_EQ(orders3_sets(), orders3_sets_before + 1)
      << cluster.Get(1, "/logbook/v1/history?app=ORDERS&instance=ORDERS-3&types=INSTANCE_SET").body;

  // The log replays to what n1 serves: verify, then a restart serves the
  // same registry.
  ASSERT_EQ(cluster.process(1).Stop(SIGTERM), 0);
  std::string verify;
  EXPECT_EQ(logbook::testing::RunLogbook({"log", "verify", cluster.data_dir(1)}, &verify), 0)
      << verify;
  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  ASSERT_TRUE(Await([&] { return AllAgree(cluster); }, kConverge));

  // n1 pulls n0's log on from after the snapshot.
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 99)), 204);
  ASSERT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-0").status, 200);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 15; },
                    kConverge))
      << cluster.process(1).Output();
  EXPECT_TRUE(OtherEventsUnique(cluster, 1));
}

TEST(SnapshotMerge, WipedPeerWhoseNewLogStartsLaterIsMerged) {
  Cluster cluster(3, kFastRetention);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 4; ++n) ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
  ASSERT_EQ(cluster.Register(2, Instance("THIRD", 1)), 204);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 5; }, kConverge));
  cluster.Kill(1);

  // n0 is wiped and bootstraps from n2 (n1 is down): its new log starts
  // after that snapshot, then drops its own first events to retention.
  ASSERT_EQ(cluster.process(0).Stop(SIGTERM), 0);
  cluster.Wipe(0);
  ASSERT_TRUE(cluster.Start(0)) << cluster.process(0).Output();
  // Enough events for three snapshots past the bootstrap one: retention
  // keeps three and drops what the oldest covers.
  for (int n = 10; n < 35; ++n) ASSERT_EQ(cluster.Register(0, Instance("PAYMENTS", n)), 204);
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-0").status, 200);
  EXPECT_EQ(
      cluster.Request(0, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-1/status?value=OUT_OF_SERVICE")
          .status,
      200);
  ASSERT_TRUE(Await(
      [&] {
        const HttpResult answer = cluster.Get(0, "/logbook/v1/replication/events?from=1&limit=1");
        return answer.Header("X-Logbook-Min-From") != "" &&
               answer.Header("X-Logbook-Min-From") != "1";
      },
      kConverge))
      << cluster.Get(0, "/logbook/v1/status").body;

  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  ASSERT_TRUE(Await([&] { return AllAgree(cluster); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << cluster.Get(1, "/logbook/v1/status").body
      << cluster.process(1).Output();
  EXPECT_EQ(cluster.InstanceCount(1), 29);  // 4 - 1 + 25 + THIRD-1
  const std::string output = cluster.process(1).Output();
  EXPECT_NE(output.find("has a new log identity"), std::string::npos) << output;
  EXPECT_NE(output.find("merged the snapshot of peer n0"), std::string::npos) << output;
  const Json status(cluster.Get(1, "/logbook/v1/status").body);
  EXPECT_EQ(status.StringAt("/peers/0/log_identity"),
            Json(cluster.Get(0, "/logbook/v1/status").body).StringAt("/log_identity"));

  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 50)), 204);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 30; },
                    kConverge));
}

TEST(SnapshotMerge, KilledMidMergeRestartsAndConvergesWithEachDecisionLoggedOnce) {
  Cluster cluster(2);
  cluster.SetNodeArgs(0, kFastRetention);
  cluster.SetNodeArgs(1, kSlowMerge);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 6; ++n) ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
  ASSERT_EQ(cluster.Register(1, Instance("LOCAL", 1)), 204);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 7; }, kConverge));
  const std::int64_t cursor = CursorFor(cluster, 1, "n0");
  ASSERT_GT(cursor, 1);
  cluster.Kill(1);

  // While n1 is down: 30 registrations, two cancels, an override and a
  // metadata change at n0, whose retention then drops what n1 would need.
  // n0 stays idle after this, so both of n1's merges get the same snapshot.
  ASSERT_NO_FATAL_FAILURE(ChangeN0WhileN1IsDown(cluster, 36, cursor));

  // n1 restarts and merges one instance per task: kill -9 it once some of
  // the merge is durable.
  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  ASSERT_TRUE(Await(
      [&] {
        return PeerState(cluster, 1, 0) == "merging_snapshot" &&
               ServedInstanceSets(cluster, 1) >= 1;
      },
      kConverge))
      << cluster.Get(1, "/logbook/v1/status").body << cluster.process(1).Output();
  cluster.Kill(1);
  EXPECT_EQ(MergeLine(cluster.process(1).Output(), "n0"), "") << "the merge finished first";
  const auto landed = LoggedInstanceSets(cluster.data_dir(1));
  ASSERT_GE(Total(landed), 1);

  // The restart finds n0's log still unpullable from the old cursor (the
  // merge's cursor was never committed) and merges again.
  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  ASSERT_TRUE(Await([&] { return MergedOnce(cluster, 1, 0); }, std::chrono::seconds(60)))
      << cluster.Get(1, "/logbook/v1/status").body << cluster.process(1).Output();
  ASSERT_TRUE(Await([&] { return AllAgree(cluster); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << cluster.process(1).Output();
  EXPECT_EQ(cluster.InstanceCount(1), 35);  // 6 - 2 cancelled + 30 + LOCAL-1
  EXPECT_TRUE(OtherEventsUnique(cluster, 1));

  // n1 pulls n0's log on from after the snapshot.
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 99)), 204);
  ASSERT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-0").status, 200);
  ASSERT_TRUE(
      Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 35; }, kConverge))
      << cluster.process(1).Output();
  EXPECT_TRUE(OtherEventsUnique(cluster, 1));

  // The log replays to what n1 served, and holds each of the merge's
  // decisions once: the 30 added, the override, the metadata change and
  // the two cancels; the first merge had logged some, not all of them.
  ASSERT_EQ(cluster.process(1).Stop(SIGTERM), 0);
  std::string verify;
  EXPECT_EQ(logbook::testing::RunLogbook({"log", "verify", cluster.data_dir(1)}, &verify), 0)
      << verify;
  const auto logged = LoggedInstanceSets(cluster.data_dir(1));
  EXPECT_EQ(Total(logged), 34);
  for (const auto& [key, count] : logged) {
    EXPECT_EQ(count, 1) << key.first << "/" << key.second << " set " << count << " times";
  }
  EXPECT_LT(Total(landed), Total(logged));
  for (const auto& [key, count] : landed) {
    EXPECT_TRUE(logged.contains(key)) << key.first << "/" << key.second;
  }
  EXPECT_EQ(logged.count({"ORDERS", "ORDERS-1"}), 1u);
  EXPECT_EQ(logged.count({"LOCAL", "LOCAL-1"}), 0u);  // equal on both: no event
}

TEST(SnapshotMerge, InstanceLastChangedAtAThirdNodeSurvivesAndOneThePeerRemovedGoes) {
  std::vector<std::string> args = kFastRetention;
  // Short long-polls: n0's puller notices the healed path soon.
  args.insert(args.end(), {"--set", "logbook.events.max-wait-ms=1000"});
  Cluster cluster(3, args);
  // n0 reaches n2 only through a proxy, so n0 can be kept from n2's events.
  TcpProxy to_n2(cluster.port(2));
  ASSERT_NE(to_n2.port(), 0);
  cluster.SetPeerUrl(0, 2, absl::StrCat("http://127.0.0.1:", to_n2.port()));
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 1)), 204);  // n0 cancels it later
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 2)), 204);
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(1) == 2; }, kConverge));
  ASSERT_GT(to_n2.accepted(), 0);

  to_n2.Blackhole();
  to_n2.ResetAll();
  ASSERT_EQ(cluster.Register(2, Instance("THIRD", 1)), 204);
  ASSERT_TRUE(Await(
      [&] { return cluster.Get(1, "/eureka/v2/apps/THIRD/THIRD-1").status == 200; }, kConverge));
  const std::int64_t cursor = CursorFor(cluster, 1, "n0");
  ASSERT_GT(cursor, 1);
  cluster.Kill(1);

  for (int n = 10; n < 20; ++n) ASSERT_EQ(cluster.Register(0, Instance("PAYMENTS", n)), 204);
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-1").status, 200);
  ASSERT_TRUE(Await([&] { return FirstOffset(cluster, 0) > cursor; }, kConverge))
      << cluster.Get(0, "/logbook/v1/status").body;
  // n0's snapshot lacks both: THIRD-1 never reached it, ORDERS-1 it removed.
  ASSERT_EQ(cluster.Get(0, "/eureka/v2/apps/THIRD/THIRD-1").status, 404);
  ASSERT_EQ(cluster.Get(0, "/eureka/v2/apps/ORDERS/ORDERS-1").status, 404);

  ASSERT_TRUE(cluster.Start(1)) << cluster.process(1).Output();
  ASSERT_TRUE(Await([&] { return MergedOnce(cluster, 1, 0); }, kConverge))
      << cluster.Get(1, "/logbook/v1/status").body << cluster.process(1).Output();
  const std::string line = MergeLine(cluster.process(1).Output(), "n0");
  EXPECT_NE(line.find("removed=1"), std::string::npos) << line;
  // THIRD-1 was last changed at n2: n0's snapshot does not speak for it.
  EXPECT_EQ(cluster.Get(1, "/eureka/v2/apps/THIRD/THIRD-1").status, 200);
  const std::string kept =
      cluster.Get(1, "/logbook/v1/history?app=THIRD&instance=THIRD-1&types=INSTANCE_SET").body;
  EXPECT_EQ(Json(kept).SizeAt("/events"), 0u) << kept;
  // ORDERS-1's copy here came from n0, which removed it since.
  EXPECT_EQ(cluster.Get(1, "/eureka/v2/apps/ORDERS/ORDERS-1").status, 404);
  const std::string removed =
      cluster.Get(1, "/logbook/v1/history?app=ORDERS&instance=ORDERS-1&types=INSTANCE_SET").body;
  EXPECT_EQ(Json(removed).SizeAt("/events"), 1u) << removed;
  EXPECT_EQ(cluster.InstanceCount(1), 12);  // ORDERS-2, 10 PAYMENTS, THIRD-1

  // Healed, n0 gets THIRD-1 from n2 and the three agree.
  to_n2.Heal();
  ASSERT_TRUE(Await([&] { return AllAgree(cluster) && cluster.InstanceCount(0) == 12; },
                    std::chrono::seconds(30)))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << "\n---\n" << cluster.Apps(2)
      << cluster.Get(0, "/logbook/v1/status").body;
  EXPECT_TRUE(OtherEventsUnique(cluster, 1));
}

}  // namespace
}  // namespace logbook::e2e
