// Bootstrap by snapshot transfer (docs/replication.md, "Bootstrap"): a node
// with a new data dir and --peers starts from a peer's snapshot, is not
// ready until it has it and has caught up, and then serves the cluster's
// registry with none of the snapshot's events duplicated in its log.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/cluster_support.h"

namespace logbook::e2e {
namespace {

constexpr auto kConverge = std::chrono::seconds(15);

Registration Instance(const std::string& app, int n) {
  return R(app, absl::StrCat(app, "-", n), absl::StrCat("h", n),
           absl::StrCat("10.0.1.", n % 250 + 1));
}

// Writes of every kind on n0 and n1 (n2 not started), until both agree.
void FillTwoNodes(Cluster& cluster) {
  for (int n = 0; n < 12; ++n) {
    ASSERT_EQ(cluster.Register(n % 2, Instance("ORDERS", n)), 204);
  }
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(0) == 12 && cluster.InstanceCount(1) == 12; },
                    kConverge));
  ASSERT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-1").status, 200);
  ASSERT_EQ(
      cluster.Request(1, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-2/status?value=OUT_OF_SERVICE")
          .status,
      200);
  ASSERT_EQ(cluster.Request(0, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-4").status, 200);  // renew
  ASSERT_TRUE(Await(
      [&] {
        return cluster.Get(0, "/eureka/v2/apps").body == cluster.Get(1, "/eureka/v2/apps").body &&
               cluster.InstanceCount(0) == 11;
      },
      kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1);
}

bool Unique(const std::vector<std::pair<std::string, std::int64_t>>& origins) {
  const std::set<std::pair<std::string, std::int64_t>> unique(origins.begin(), origins.end());
  return unique.size() == origins.size();
}

bool ThreeNodesAgree(Cluster& cluster) {
  const std::string apps = cluster.Get(0, "/eureka/v2/apps").body;
  return cluster.Get(1, "/eureka/v2/apps").body == apps &&
         cluster.Get(2, "/eureka/v2/apps").body == apps &&
         cluster.Get(2, "/eureka/v2/serverinfo/statusoverrides").body ==
             cluster.Get(0, "/eureka/v2/serverinfo/statusoverrides").body;
}

TEST(Bootstrap, NewNodeIsNotReadyUntilItHoldsThePeersRegistry) {
  // Snapshots every few events: the export decodes one and replays the tail.
  Cluster cluster(3, {"--set", "logbook.snapshot.every-events=5", "--set",
                      "logbook.replication.test-only-bootstrap-delay-ms=1500"});
  ASSERT_TRUE(cluster.Start(0));
  ASSERT_TRUE(cluster.Start(1));
  FillTwoNodes(cluster);

  ASSERT_TRUE(cluster.Start(2, /*await_ready=*/false)) << cluster.process(2).Output();
  // Not ready while the snapshot is on its way (the delay holds it), and
  // client writes are refused with a reason and Retry-After.
  const HttpResult early = cluster.Get(2, "/readyz");
  EXPECT_EQ(early.status, 503) << early.body;
  EXPECT_NE(early.body.find("bootstrapping"), std::string::npos) << early.body;
  const HttpResult refused = cluster.Request(2, "POST", "/eureka/v2/apps/LATE", kJsonBody,
                                             Instance("LATE", 1).Json());
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "1");

  ASSERT_TRUE(cluster.Ready(2, kConverge)) << cluster.process(2).Output();
  // Identical full documents (every field comes from the events, timestamps
  // included) and the same overrides.
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(2) << cluster.process(2).Output();
  EXPECT_EQ(cluster.InstanceCount(2), 11);
  EXPECT_NE(cluster.process(2).Output().find("snapshot installed"), std::string::npos)
      << cluster.process(2).Output();

  // The snapshot's events are state, not log: n2's log holds none of them,
  // and nothing twice.
  const auto before = cluster.Origins(2);
  EXPECT_TRUE(before.empty()) << before.size();
  const Json status(cluster.Get(2, "/logbook/v1/status").body);
  EXPECT_GT(status.IntAt("/log/first_offset").value_or(0), 1);

  // Its own writes reach the others (they pull its new log from offset 1,
  // though the log starts after the snapshot), and theirs reach it.
  ASSERT_EQ(cluster.Register(2, Instance("PAYMENTS", 1)), 204);
  ASSERT_EQ(cluster.Register(0, Instance("PAYMENTS", 2)), 204);
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster) && cluster.InstanceCount(1) == 13; },
                    kConverge))
      << cluster.Get(0, "/logbook/v1/status").body << cluster.process(0).Output();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Unique(cluster.Origins(i))) << i;

  // A restart of the bootstrapped node recovers from its installed snapshot,
  // and the offline verifier accepts the dir (a log that starts after it).
  ASSERT_EQ(cluster.process(2).Stop(SIGTERM), 0);
  std::string verify;
  EXPECT_EQ(logbook::testing::RunLogbook({"log", "verify", cluster.data_dir(2)}, &verify), 0)
      << verify;
  ASSERT_TRUE(cluster.Start(2)) << cluster.process(2).Output();
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster); }, kConverge));
  EXPECT_TRUE(Unique(cluster.Origins(2)));
}

TEST(Bootstrap, PortNeverRefusesAConnectionAcrossTheHandoverToTheNode) {
  Cluster cluster(2, {"--set", "logbook.replication.test-only-bootstrap-delay-ms=500"});
  ASSERT_TRUE(cluster.Start(0));
  for (int n = 0; n < 5; ++n) ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
  ASSERT_TRUE(cluster.Start(1, /*await_ready=*/false)) << cluster.process(1).Output();

  // One new connection after another from the placeholder's first answer
  // until the node proper has answered many times: the placeholder stops,
  // the node opens its data dir and recovers, and meanwhile the port must
  // hold each connection (in the backlog) instead of refusing it.
  int placeholder_answers = 0;
  int node_answers = 0;
  int unanswered = 0;  // a refused connect, or one closed without an answer
  std::vector<std::string> other_answers;
  const auto deadline = std::chrono::steady_clock::now() + kConverge;
  while (node_answers < 200 && std::chrono::steady_clock::now() < deadline) {
    HttpClient client(cluster.port(1), std::chrono::seconds(5));
    const HttpResult result = client.Get("/eureka/v2/apps", {{"Connection", "close"}});
    if (result.status == 503 && result.Header("Retry-After") == "1") {
      ++placeholder_answers;
    } else if (result.status == 200) {
      ++node_answers;
    } else if (result.status == 0) {
      ++unanswered;
    } else {
      other_answers.push_back(absl::StrCat(result.status, ": ", result.body));
    }
  }
  EXPECT_EQ(unanswered, 0) << "after " << placeholder_answers << " placeholder answers and "
                           << node_answers << " of the node";
  EXPECT_TRUE(other_answers.empty()) << other_answers.front();
  EXPECT_GT(placeholder_answers, 0);
  EXPECT_EQ(node_answers, 200) << cluster.process(1).Output();
  EXPECT_NE(cluster.process(1).Output().find("snapshot installed"), std::string::npos);
  EXPECT_TRUE(cluster.Ready(1, kConverge));
}

TEST(Bootstrap, KilledMidBootstrapStartsOverAndCompletes) {
  Cluster cluster(3, {"--set", "logbook.replication.test-only-bootstrap-delay-ms=3000"});
  ASSERT_TRUE(cluster.Start(0));
  ASSERT_TRUE(cluster.Start(1));
  FillTwoNodes(cluster);

  ASSERT_TRUE(cluster.Start(2, /*await_ready=*/false));
  // Killed once the snapshot has arrived and before it is installed.
  ASSERT_TRUE(Await(
      [&] { return cluster.process(2).Output().find("received") != std::string::npos; },
      kConverge))
      << cluster.process(2).Output();
  EXPECT_EQ(cluster.Get(2, "/readyz").status, 503);
  cluster.Kill(2);

  ASSERT_TRUE(cluster.Start(2, /*await_ready=*/false)) << cluster.process(2).Output();
  ASSERT_TRUE(cluster.Ready(2, kConverge)) << cluster.process(2).Output();
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(2);
  // It bootstrapped (again) from the start: a snapshot, no events.
  EXPECT_NE(cluster.process(2).Output().find("snapshot installed"), std::string::npos);
  EXPECT_TRUE(cluster.Origins(2).empty());
}

TEST(Bootstrap, WipedNodeGetsBackWhatItOriginatedAndTheOthersFollowItsNewLog) {
  Cluster cluster(3);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 9; ++n) ASSERT_EQ(cluster.Register(n % 3, Instance("ORDERS", n)), 204);
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster) && cluster.InstanceCount(2) == 9; },
                    kConverge));
  const std::string old_identity =
      *Json(cluster.Get(0, "/logbook/v1/status").body).StringAt("/log_identity");

  // n0 loses its data dir; the others keep taking writes meanwhile.
  ASSERT_EQ(cluster.process(0).Stop(SIGTERM), 0);
  cluster.Wipe(0);
  ASSERT_EQ(cluster.Register(1, Instance("ORDERS", 20)), 204);
  ASSERT_EQ(cluster.Request(2, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-2").status, 200);
  ASSERT_TRUE(cluster.Start(0)) << cluster.process(0).Output();
  EXPECT_NE(*Json(cluster.Get(0, "/logbook/v1/status").body).StringAt("/log_identity"),
            old_identity);

  // The instances n0 registered before the wipe come back with the
  // snapshot (peers serve only their own events, so no pull would bring
  // them), and what n0 writes now reaches the others, who see its new log
  // identity and pull that history from offset 1.
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 21)), 204);
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster) && cluster.InstanceCount(1) == 10; },
                    kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << cluster.process(1).Output();
  EXPECT_TRUE(Json(cluster.Get(0, "/eureka/v2/apps/ORDERS/ORDERS-3").body).Has("/instance"));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Unique(cluster.Origins(i))) << i;
}

TEST(Bootstrap, NodesStartedTogetherOnNewDirsStartEmpty) {
  // No peer has anything to give: nobody waits for anybody.
  Cluster cluster(3);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(cluster.StartAll());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 1)), 204);
  ASSERT_TRUE(Await([&] { return ThreeNodesAgree(cluster) && cluster.InstanceCount(2) == 1; },
                    kConverge));
}

TEST(Bootstrap, CanBeTurnedOff) {
  Cluster cluster(2, {"--set", "logbook.replication.bootstrap=false"});
  ASSERT_TRUE(cluster.Start(0));
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 1)), 204);
  ASSERT_TRUE(cluster.Start(1));
  // Pulled as events from offset 1 instead.
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(1) == 1; }, kConverge));
  EXPECT_EQ(cluster.Origins(1).size(), 1u);
  EXPECT_EQ(cluster.process(1).Output().find("snapshot installed"), std::string::npos);
}

TEST(Bootstrap, SnapshotEndpointAnswersWithItsHeaders) {
  Cluster cluster(1);
  ASSERT_TRUE(cluster.Start(0));
  // An empty log: nothing to transfer.
  const HttpResult empty = cluster.Get(0, "/logbook/v1/replication/snapshot");
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.body.empty());
  EXPECT_EQ(empty.Header("X-Logbook-Snapshot-Offset"), "0");
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 1)), 204);
  const HttpResult full = cluster.Get(0, "/logbook/v1/replication/snapshot");
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.Header("Content-Type"), "application/x-logbook-snapshot");
  EXPECT_EQ(full.Header("X-Logbook-Snapshot-Offset"), "1");
  EXPECT_EQ(full.Header("X-Logbook-Node-Id"), "n0");
  EXPECT_EQ(full.body.substr(0, 4), "LBST");
}

}  // namespace
}  // namespace logbook::e2e
