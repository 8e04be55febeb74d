// Pull replication between real Logbook nodes (docs/replication.md): every
// write on any node reaches every other, exactly once, across kills,
// restarts and a wiped data dir.
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/e2e/cluster_support.h"

namespace logbook::e2e {
namespace {

constexpr auto kConverge = std::chrono::seconds(10);

Registration Instance(const std::string& app, int n) {
  Registration registration = R(app, absl::StrCat(app, "-", n), absl::StrCat("h", n),
                                absl::StrCat("10.0.0.", n % 250 + 1));
  return registration;
}

TEST(Replication, RegistrationsOnTwoNodesAreVisibleOnAllThree) {
  Cluster cluster(3);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 20; ++n) {
    ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
    ASSERT_EQ(cluster.Register(1, Instance("PAYMENTS", n)), 204)
      << cluster.process(1).Output();
  }
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(2) == 40; }, kConverge))
      << cluster.InstanceCount(2);
  // Every field, timestamps included, comes from the events themselves
  // (their origin's clock), so the documents are byte-identical.
  std::string apps;
  ASSERT_TRUE(Await([&] { return cluster.Converged(&apps); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(2);
  const Json doc(apps);
  EXPECT_EQ(doc.SizeAt("/applications/application"), 2u);

  // The status shows each peer streaming, caught up.
  ASSERT_TRUE(Await(
      [&] {
        const Json status(cluster.Get(2, "/logbook/v1/status").body);
        return status.SizeAt("/peers") == 2u && status.StringAt("/peers/0/state") == "streaming" &&
               status.StringAt("/peers/1/state") == "streaming" &&
               status.IntAt("/peers/0/lag_events") == 0 && status.IntAt("/peers/1/lag_events") == 0;
      },
      kConverge))
      << cluster.Get(2, "/logbook/v1/status").body;
  const Json status(cluster.Get(2, "/logbook/v1/status").body);
  std::set<std::string> peer_ids = {*status.StringAt("/peers/0/node_id"),
                                    *status.StringAt("/peers/1/node_id")};
  EXPECT_EQ(peer_ids, (std::set<std::string>{"n0", "n1"}));
  // Events never travel back: n0's log holds its 20 registrations and n1's
  // 20, each once.
  const auto origins = cluster.Origins(0);
  EXPECT_EQ(origins.size(), 40u);
}

TEST(Replication, KilledNodeCatchesUpToAnIdenticalRegistryWithoutDuplicates) {
  Cluster cluster(3);
  ASSERT_TRUE(cluster.StartAll());
  for (int n = 0; n < 10; ++n) {
    ASSERT_EQ(cluster.Register(n % 2, Instance("ORDERS", n)), 204);
  }
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(2) == 10; }, kConverge));
  cluster.Kill(2);

  // Writes of every kind while n2 is down, on both surviving nodes.
  for (int n = 10; n < 30; ++n) {
    ASSERT_EQ(cluster.Register(n % 2, Instance("PAYMENTS", n)), 204);
  }
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(0) == 30 && cluster.InstanceCount(1) == 30; },
                    kConverge));
  EXPECT_EQ(cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-1").status, 200);
  EXPECT_EQ(cluster.Request(1, "DELETE", "/eureka/v2/apps/PAYMENTS/PAYMENTS-10").status, 200);
  // An override set on the node the instance did not register on.
  EXPECT_EQ(cluster
                .Request(1, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-2/status?value=OUT_OF_SERVICE")
                .status,
            200);
  EXPECT_EQ(cluster
                .Request(0, "PUT", "/eureka/v2/apps/PAYMENTS/PAYMENTS-11/status?value=OUT_OF_SERVICE")
                .status,
            200);
  EXPECT_EQ(cluster
                .Request(0, "DELETE",
                         "/eureka/v2/apps/PAYMENTS/PAYMENTS-11/status?value=UP")
                .status,
            200);
  EXPECT_EQ(cluster.Request(0, "PUT", "/eureka/v2/apps/ORDERS/ORDERS-3").status, 200);  // renew

  ASSERT_TRUE(cluster.Start(2)) << cluster.process(2).Output();
  std::string apps;
  ASSERT_TRUE(Await([&] { return cluster.Converged(&apps); }, kConverge))
      << cluster.Apps(0) << "\n---\n" << cluster.Apps(1) << "\n---\n" << cluster.Apps(2)
      << cluster.Get(2, "/logbook/v1/status").body << cluster.process(2).Output();
  EXPECT_EQ(cluster.InstanceCount(2), 28);
  EXPECT_EQ(cluster.Get(2, "/eureka/v2/serverinfo/statusoverrides").body,
            cluster.Get(0, "/eureka/v2/serverinfo/statusoverrides").body);

  // Exactly once: no (origin, origin_offset) twice in the restarted node's log.
  const auto origins = cluster.Origins(2);
  std::set<std::pair<std::string, std::int64_t>> unique(origins.begin(), origins.end());
  EXPECT_EQ(unique.size(), origins.size());
  // And it holds every event n0 and n1 originated.
  std::set<std::pair<std::string, std::int64_t>> originated;
  for (int i : {0, 1}) {
    for (const auto& origin : cluster.Origins(i)) {
      if (origin.first == cluster.node_id(i)) originated.insert(origin);
    }
  }
  for (const auto& origin : originated) EXPECT_TRUE(unique.contains(origin)) << origin.first << "/" << origin.second;

  // A second kill and restart with nothing new pulls nothing twice either.
  cluster.Kill(2);
  ASSERT_TRUE(cluster.Start(2));
  ASSERT_TRUE(Await(
      [&] {
        const Json status(cluster.Get(2, "/logbook/v1/status").body);
        return status.StringAt("/peers/0/state") == "streaming" &&
               status.StringAt("/peers/1/state") == "streaming";
      },
      kConverge));
  EXPECT_EQ(cluster.Origins(2).size(), origins.size());
}

// A node catching up on two peers that replicate each other write by write:
// every event of n1 needs n0's event before it (n1 had applied it first)
// and the other way round, so n2's two streams can only advance in turns.
// A stream held back resumes as soon as the other one is applied, not after
// its retry sleep (made 3 s here: the 40 turns would take minutes). Pulled,
// not bootstrapped: n2's log is empty, so it would take a snapshot instead.
TEST(Replication, StreamsThatDependOnEachOtherCatchUpInTurnsWithoutSleeping) {
  Cluster cluster(3, {"--set", "logbook.replication.test-only-waiting-retry-ms=3000", "--set",
                      "logbook.replication.bootstrap=false"});
  ASSERT_TRUE(cluster.StartAll());
  cluster.Kill(2);
  constexpr int kTurns = 40;
  for (int n = 0; n < kTurns; ++n) {
    const int node = n % 2;
    ASSERT_EQ(cluster.Register(node, Instance("ORDERS", n)), 204);
    // The other one holds it before writing the next.
    ASSERT_TRUE(Await([&] { return cluster.InstanceCount(1 - node) == n + 1; }, kConverge))
        << n;
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(cluster.Start(2)) << cluster.process(2).Output();
  std::string apps;
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(2) == kTurns && cluster.Converged(&apps); },
                    kConverge))
      << cluster.InstanceCount(2) << "\n" << cluster.Get(2, "/logbook/v1/status").body;
  EXPECT_LT(std::chrono::steady_clock::now() - start, kConverge);
}

// Short leases: renewals arriving only at n0 keep the instance on n1 and n2
// (their RENEW events replicate); once they stop, it is evicted everywhere.
TEST(Replication, RenewalsAtOneNodeKeepTheInstanceAliveEverywhere) {
  Cluster cluster(3, {"--set", "eureka.server.eviction-interval-timer-in-ms=200", "--set",
                      "logbook.evictor.restart-grace-ms=0", "--set",
                      "eureka.server.enable-self-preservation=false"});
  ASSERT_TRUE(cluster.StartAll());
  Registration registration = Instance("ORDERS", 1);
  registration.duration_secs = 2;
  registration.renewal_interval_secs = 1;
  ASSERT_EQ(cluster.Register(0, registration), 204);
  const auto path = absl::StrCat("/eureka/v2/apps/ORDERS/", *registration.instance_id);
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(1) == 1 && cluster.InstanceCount(2) == 1; },
                    kConverge));
  // Two lease durations of renewals at n0 only.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(4000);
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_EQ(cluster.Request(0, "PUT", path).status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // the client's heartbeat period
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cluster.InstanceCount(i), 1) << "node " << i << " lost a renewed instance";
  }
  const auto stopped = std::chrono::steady_clock::now();
  // Lease 2 s + eviction interval 0.2 s + a bound for replication and timers
  // on a loaded machine.
  ASSERT_TRUE(Await(
      [&] {
        return cluster.InstanceCount(0) == 0 && cluster.InstanceCount(1) == 0 &&
               cluster.InstanceCount(2) == 0;
      },
      std::chrono::milliseconds(2000 + 200 + 3000)));
  // Not before the lease ran out (the last renewal was at most one period
  // plus a request before `stopped`).
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, std::chrono::milliseconds(1200));
  ASSERT_TRUE(Await([&] { return cluster.Converged(); }, kConverge));
}

TEST(Replication, WipedPeerIsDetectedAndItsNewLogPulledFromTheStart) {
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 1)), 204);
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(1) == 1; }, kConverge));
  const std::string old_identity =
      *Json(cluster.Get(0, "/logbook/v1/status").body).StringAt("/log_identity");

  ASSERT_EQ(cluster.process(0).Stop(SIGTERM), 0);
  cluster.Wipe(0);
  ASSERT_TRUE(cluster.Start(0));
  const std::string new_identity =
      *Json(cluster.Get(0, "/logbook/v1/status").body).StringAt("/log_identity");
  ASSERT_NE(new_identity, old_identity);
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 2)), 204);

  // n1 sees the new history (offset 1 again) and pulls it from the start.
  ASSERT_TRUE(Await(
      [&] {
        return Json(cluster.Get(1, "/eureka/v2/apps/ORDERS/ORDERS-2").body).Has("/instance");
      },
      kConverge))
      << cluster.process(1).Output() << cluster.Get(1, "/logbook/v1/status").body;
  const Json status(cluster.Get(1, "/logbook/v1/status").body);
  EXPECT_EQ(status.StringAt("/peers/0/log_identity"), new_identity);
  EXPECT_NE(cluster.process(1).Output().find(absl::StrCat("has a new log identity ", new_identity)),
            std::string::npos)
      << cluster.process(1).Output();
}

TEST(Replication, PeerWhoseRetainedLogStartsLaterIsMergedFromItsSnapshot) {
  // n0 drops old offsets quickly (snapshots every few events let retention
  // run); n1 starts later with no cursor, so the offset it needs (1) is
  // gone: 410. n1 merges n0's snapshot transfer instead and pulls on after it.
  Cluster cluster(2, {"--set", "logbook.log.renew-retention=100ms", "--set",
                      "logbook.log.retention-interval-ms=100", "--set",
                      "logbook.snapshot.every-events=5", "--set",
                      // n1 starts empty without bootstrapping: the merge's path.
                      "logbook.replication.bootstrap=false"});
  ASSERT_TRUE(cluster.Start(0));
  for (int n = 0; n < 5; ++n) ASSERT_EQ(cluster.Register(0, Instance("ORDERS", n)), 204);
  ASSERT_TRUE(Await(
      [&] {
        return Json(cluster.Get(0, "/logbook/v1/status").body).IntAt("/log/first_offset") > 1;
      },
      kConverge));
  ASSERT_TRUE(cluster.Start(1));
  std::string apps;
  ASSERT_TRUE(Await([&] { return cluster.Converged(&apps); }, kConverge))
      << cluster.Get(1, "/logbook/v1/status").body << cluster.process(1).Output();
  EXPECT_EQ(cluster.InstanceCount(1), 5);
  ASSERT_TRUE(Await(
      [&] {
        const Json status(cluster.Get(1, "/logbook/v1/status").body);
        return status.StringAt("/peers/0/state") == "streaming" &&
               status.IntAt("/peers/0/snapshots_merged") == 1;
      },
      kConverge))
      << cluster.Get(1, "/logbook/v1/status").body;
  EXPECT_NE(cluster.process(1).Output().find("merged the snapshot of peer n0"), std::string::npos)
      << cluster.process(1).Output();
  // And it pulls n0's log on from after the snapshot.
  ASSERT_EQ(cluster.Register(0, Instance("ORDERS", 9)), 204);
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(1) == 6 && cluster.Converged(); },
                    kConverge))
      << cluster.process(1).Output();
}

TEST(Replication, PullOverOtherOriginsEventsOnlyIsAnsweredAtOnceAndLagIsZero) {
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  // n0's log then holds only n1's events (pulled), none of its own.
  for (int n = 0; n < 3; ++n) ASSERT_EQ(cluster.Register(1, Instance("ORDERS", n)), 204);
  ASSERT_TRUE(Await([&] { return cluster.InstanceCount(0) == 3; }, kConverge));
  ASSERT_TRUE(Await(
      [&] {
        return Json(cluster.Get(0, "/logbook/v1/status").body).IntAt("/log/durable_offset") == 3;
      },
      kConverge));

  // A long-poll over them: nothing of n0's to wait for, so the answer comes
  // now (not after the wait) and its Next passes them, which is how a puller
  // learns it holds all n0 originated.
  const auto start = std::chrono::steady_clock::now();
  const HttpResult pull =
      cluster.Get(0, "/logbook/v1/replication/events?from=1&wait_ms=8000");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(pull.status, 200);
  EXPECT_EQ(pull.Header("X-Logbook-Event-Count"), "0");
  EXPECT_EQ(pull.Header("X-Logbook-Next"), "4");
  EXPECT_EQ(pull.Header("X-Logbook-Durable-Offset"), "3");

  // n1 holds everything n0 originated (nothing): no lag, in the status and
  // in /metrics alike, whether or not its long-poll has passed them yet.
  EXPECT_EQ(Json(cluster.Get(1, "/logbook/v1/status").body).IntAt("/peers/0/lag_events"), 0)
      << cluster.Get(1, "/logbook/v1/status").body;
  EXPECT_NE(cluster.Get(1, "/metrics", {}).body.find("logbook_peer_lag_events{peer=\"http://127.0.0.1:" +
                                                      std::to_string(cluster.port(0)) + "\"} 0\n"),
            std::string::npos)
      << cluster.Get(1, "/metrics", {}).body;
}

// Parks a replication pull on n0, then n0 logs an event pulled from n1 and
// after it one of its own. The answer carries the own event and, before it,
// the requirement naming n1's event: the pull must not have been woken by
// n1's event alone and parked again past it, which dropped the requirement
// (a third node could then apply n0's CANCEL before n1's REGISTER).
TEST(Replication, ParkedPullKeepsTheRequirementOfOtherOriginsEventsBeforeAnOwnEvent) {
  Cluster cluster(2);
  ASSERT_TRUE(cluster.StartAll());
  const auto durable = [&] {
    return Json(cluster.Get(0, "/logbook/v1/status").body).IntAt("/log/durable_offset").value_or(-1);
  };
  const std::int64_t from = durable() + 1;
  const auto parked = [&] {
    const std::string metrics = cluster.Get(0, "/metrics", {}).body;
    const std::string name = "logbook_event_stream_waiters ";
    const std::size_t at = metrics.find("\n" + name);
    return at == std::string::npos ? 0 : std::stoi(metrics.substr(at + 1 + name.size()));
  };
  HttpResult pull;
  std::thread puller([&] {
    pull = cluster.Get(0, absl::StrCat("/logbook/v1/replication/events?from=", from,
                                       "&wait_ms=8000"),
                       {});
  });
  // n1's own puller parks on n0 too: two waiters mean ours is one of them.
  // No ASSERT before the join: the thread must not outlive the test.
  const bool ours_parked = Await([&] { return parked() >= 2; }, kConverge);
  const int registered = cluster.Register(1, Instance("ORDERS", 1));
  const bool pulled =
      Await([&] { return cluster.InstanceCount(0) == 1 && durable() == from; }, kConverge);
  const int cancelled = cluster.Request(0, "DELETE", "/eureka/v2/apps/ORDERS/ORDERS-1").status;
  puller.join();
  ASSERT_TRUE(ours_parked);
  ASSERT_EQ(registered, 204);
  ASSERT_TRUE(pulled);
  ASSERT_EQ(cancelled, 200);
  ASSERT_EQ(pull.status, 200) << pull.body;
  EXPECT_EQ(pull.Header("X-Logbook-From"), std::to_string(from));
  EXPECT_EQ(pull.Header("X-Logbook-Event-Count"), "1");
  // Records: offset (8) + length (4, top bit: a requirement) + bytes.
  const auto number = [&](std::size_t at, int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = value << 8 | static_cast<unsigned char>(pull.body[at + i]);
    return value;
  };
  ASSERT_GE(pull.body.size(), 12u + 8u + 2u);
  EXPECT_EQ(number(0, 8), static_cast<std::uint64_t>(from));
  const std::uint64_t length = number(8, 4);
  ASSERT_NE(length & 0x80000000u, 0u) << "the first record is not a requirement";
  const std::size_t requirement_length = length & 0x7fffffffu;
  EXPECT_EQ(pull.body.substr(12 + 8, requirement_length - 8), "n1");
  const std::size_t second = 12 + requirement_length;
  ASSERT_GE(pull.body.size(), second + 12);
  EXPECT_EQ(number(second, 8), static_cast<std::uint64_t>(from + 1));
  EXPECT_EQ(number(second + 8, 4) & 0x80000000u, 0u) << "the second record is not an event";
}

TEST(Replication, EndpointRefusesBadRangesWithItsHeaders) {
  Cluster cluster(1);
  ASSERT_TRUE(cluster.Start(0));
  const HttpResult bad = cluster.Get(0, "/logbook/v1/replication/events?from=0");
  EXPECT_EQ(bad.status, 400);
  const HttpResult beyond = cluster.Get(0, "/logbook/v1/replication/events?from=99");
  EXPECT_EQ(beyond.status, 400);
  EXPECT_EQ(beyond.Header("X-Logbook-Node-Id"), "n0");
  const HttpResult empty = cluster.Get(0, "/logbook/v1/replication/events?from=1&wait_ms=0");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.Header("X-Logbook-Next"), "1");
  EXPECT_EQ(empty.Header("Content-Type"), "application/x-logbook-events");
  EXPECT_EQ(empty.Header("X-Logbook-Log-Identity").size(), 32u);
  EXPECT_TRUE(empty.body.empty());
}

}  // namespace
}  // namespace logbook::e2e
