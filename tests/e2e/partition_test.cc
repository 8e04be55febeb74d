// A network partition between two real Logbook nodes, made by a TCP proxy on
// each replication path (tests/testing/tcp_proxy.h): n0 reaches n1 only
// through one proxy and n1 reaches n0 only through the other. While the
// proxies blackhole (accept, never forward) both sides keep taking writes;
// the pullers must notice the silence by their read timeout; once healed,
// both registries become identical, each log holds every event the other
// originated, and none twice (docs/replication.md, "Guarantees").
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/e2e/cluster_support.h"
#include "tests/testing/tcp_proxy.h"

namespace logbook::e2e {
namespace {

using logbook::testing::TcpProxy;
using SteadyClock = std::chrono::steady_clock;

// Long-polls of 1 s make the pullers' read timeout 1 s + 5 s of margin.
const std::vector<std::string> kShortPolls = {"--set", "logbook.events.max-wait-ms=1000"};

Registration Instance(const std::string& app, int n) {
  return R(app, absl::StrCat(app, "-", n), absl::StrCat("h", n),
           absl::StrCat("10.0.1.", n % 250 + 1));
}

std::string PeerField(Cluster& cluster, int node, const std::string& field) {
  const Json status(cluster.Get(node, "/logbook/v1/status").body);
  return status.StringAt("/peers/0/" + field).value_or("");
}

TEST(Partition, BlackholedPeersHealToIdenticalRegistriesWithoutDuplicates) {
  Cluster cluster(2, kShortPolls);
  TcpProxy to_n0(cluster.port(0));
  TcpProxy to_n1(cluster.port(1));
  ASSERT_NE(to_n0.port(), 0);
  ASSERT_NE(to_n1.port(), 0);
  cluster.SetPeerUrl(0, 1, absl::StrCat("http://127.0.0.1:", to_n1.port()));
  cluster.SetPeerUrl(1, 0, absl::StrCat("http://127.0.0.1:", to_n0.port()));
  ASSERT_TRUE(cluster.StartAll());

  for (int n = 0; n < 10; ++n) {
    ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
    ASSERT_EQ(cluster.Register(1, Instance("PAYMENTS", n)), 204);
  }
  ASSERT_TRUE(Await([&] { return cluster.Converged(); }, std::chrono::seconds(15)))
      << cluster.Get(0, "/logbook/v1/status").body << cluster.Get(1, "/logbook/v1/status").body;
  ASSERT_GT(to_n0.accepted(), 0);  // the replication traffic does go through the proxies
  ASSERT_GT(to_n1.accepted(), 0);

  // Partition: nothing gets through any more, and the connections open now
  // are reset (their reconnects land in the blackhole).
  to_n0.Blackhole();
  to_n1.Blackhole();
  to_n0.ResetAll();
  to_n1.ResetAll();

  // Writes of every kind on both sides, some on instances registered on the
  // other side before the partition.
  for (int n = 10; n < 20; ++n) {
    ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
    ASSERT_EQ(cluster.Register(1, Instance("PAYMENTS", n)), 204);
  }
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-0").status, 200);
  EXPECT_EQ(cluster.Request(1, "DELETE", "/eureka/v2/apps/PAYMENTS/PAYMENTS-1").status, 200);
  EXPECT_EQ(
      cluster.Request(0, "PUT", "/eureka/v2/apps/PAYMENTS/PAYMENTS-2/status?value=OUT_OF_SERVICE")
          .status,
      200);
  EXPECT_EQ(
      cluster.Request(1, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-3/status?value=OUT_OF_SERVICE")
          .status,
      200);
  EXPECT_EQ(
      cluster.Request(1, "PUT", "/eureka/v2/apps/PAYMENTS/PAYMENTS-4/status?value=OUT_OF_SERVICE")
          .status,
      200);
  EXPECT_EQ(
      cluster.Request(1, "DELETE", "/eureka/v2/apps/PAYMENTS/PAYMENTS-4/status?value=UP").status,
      200);
  EXPECT_EQ(cluster.Request(0, "PUT", "/eureka/v2/apps/PAYMENTS/PAYMENTS-5").status, 200);  // renew

  // Each side holds only its own changes.
  EXPECT_EQ(cluster.InstanceCount(0), 29);
  EXPECT_EQ(cluster.InstanceCount(1), 29);

  // A silent peer is detected by the read timeout (wait 1 s + 5 s margin).
  ASSERT_TRUE(Await(
      [&] {
        return PeerField(cluster, 0, "last_error").find("timed out") != std::string::npos &&
               PeerField(cluster, 1, "last_error").find("timed out") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << cluster.Get(0, "/logbook/v1/status").body << cluster.Get(1, "/logbook/v1/status").body;
  EXPECT_EQ(PeerField(cluster, 0, "state"), "backoff");
  EXPECT_FALSE(cluster.Converged());

  to_n0.Heal();
  to_n1.Heal();
  const auto healed = SteadyClock::now();
  std::string apps;
  // Recovery must not wait out a long backoff: the backoff of a puller
  // that failed a few times is well under a second.
  ASSERT_TRUE(Await([&] { return cluster.Converged(&apps); }, std::chrono::seconds(10)))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << "\n"
      << cluster.Get(0, "/logbook/v1/status").body << cluster.Get(1, "/logbook/v1/status").body;
  const auto recovery_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - healed).count();
  RecordProperty("recovery_ms", static_cast<int>(recovery_ms));
  EXPECT_EQ(cluster.InstanceCount(0), 38);
  EXPECT_EQ(cluster.Get(0, "/eureka/v2/serverinfo/statusoverrides").body,
            cluster.Get(1, "/eureka/v2/serverinfo/statusoverrides").body);
  const Json doc(apps);
  EXPECT_EQ(doc.SizeAt("/applications/application"), 2u);

  ASSERT_TRUE(Await(
      [&] {
        return PeerField(cluster, 0, "state") == "streaming" &&
               PeerField(cluster, 1, "state") == "streaming";
      },
      std::chrono::seconds(10)));

  // Exactly once on both sides, and complete.
  for (int i : {0, 1}) {
    const int other = 1 - i;
    const auto origins = cluster.Origins(i);
    std::set<std::pair<std::string, std::int64_t>> unique(origins.begin(), origins.end());
    EXPECT_EQ(unique.size(), origins.size()) << "node " << i << " logged an event twice";
    for (const auto& origin : cluster.Origins(other)) {
      if (origin.first != cluster.node_id(other)) continue;
      EXPECT_TRUE(unique.contains(origin))
          << "node " << i << " lacks " << origin.first << "/" << origin.second;
    }
  }
}

}  // namespace
}  // namespace logbook::e2e
