// Restart from a snapshot: a node that took snapshots (every 50 events)
// recovers from the newest one plus a short replay, and serves exactly the
// registry it served before the restart.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"

#include "tests/e2e/e2e_support.h"
#include "tests/testing/node_process.h"

namespace logbook::e2e {
namespace {

std::string Body(int i) {
  const std::string id = "snap-" + std::to_string(i);
  return "{\"instance\":{\"instanceId\":\"" + id + "\",\"hostName\":\"" + id +
         ".test\",\"app\":\"SNAP" + std::to_string(i % 4) +
         "\",\"ipAddr\":\"10.2.0.1\",\"status\":\"UP\",\"port\":{\"$\":8080,\"@enabled\":\"true\"},"
         "\"vipAddress\":\"snap-vip\",\"dataCenterInfo\":{\"@class\":"
         "\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"},"
         "\"leaseInfo\":{\"renewalIntervalInSecs\":30,\"durationInSecs\":90}}}";
}

TEST(SnapshotRestart, RecoversFromSnapshotAndServesTheIdenticalRegistry) {
  TempDir dir(ScratchParent());
  const std::vector<std::string> args = {"--set", "logbook.snapshot.every-events=50"};
  std::string apps_before;
  std::int64_t total_events = 0;
  {
    NodeProcess node(dir.path(), args);
    ASSERT_TRUE(node.Start()) << node.Output();
    HttpClient client(node.port());
    constexpr int kInstances = 40;
    for (int i = 0; i < kInstances; ++i) {
      ASSERT_EQ(client.Request("POST", "/eureka/apps/SNAP" + std::to_string(i % 4), kJsonBody,
                               Body(i))
                    .status,
                204);
    }
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < kInstances; ++i) {
        ASSERT_EQ(client
                      .Request("PUT", "/eureka/apps/SNAP" + std::to_string(i % 4) + "/snap-" +
                                          std::to_string(i))
                      .status,
                  200);
      }
    }
    ASSERT_EQ(client.Request("PUT", "/eureka/apps/SNAP1/snap-1/status?value=OUT_OF_SERVICE").status,
              200);
    ASSERT_EQ(client.Request("DELETE", "/eureka/apps/SNAP2/snap-2").status, 200);
    total_events = kInstances * 5 + 2;
    apps_before = client.Get("/eureka/apps", kAcceptJson).body;
    ASSERT_EQ(node.Stop(SIGTERM), 0) << node.Output();
  }
  NodeProcess node(dir.path(), args);
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient client(node.port());
  Json status(client.Get("/logbook/v1/status", kAcceptJson).body);
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status.IntAt("/recovery/snapshot_offset").value_or(0), 0) << node.Output();
  EXPECT_LT(status.IntAt("/recovery/replayed_events").value_or(total_events), total_events);
  EXPECT_EQ(client.Get("/eureka/apps", kAcceptJson).body, apps_before);
}

// Snapshots are cut from the live registry while it changes (copy-on-write,
// storage/snapshot_cut.h): with four clients registering, renewing, changing
// status and cancelling at once, every snapshot the node took must equal the
// replay of its log up to the snapshot's offset (`logbook log verify`), and
// a node killed mid-traffic restarts from the newest one.
TEST(SnapshotRestart, SnapshotsCutUnderConcurrentWritesEqualTheReplay) {
  TempDir dir(ScratchParent());
  // One instance per loop turn: each cut spans many turns of traffic.
  const std::vector<std::string> args = {"--set", "logbook.snapshot.every-events=60", "--set",
                                         "logbook.snapshot.test-only-slice-items=1"};
  std::string apps_before;
  {
    NodeProcess node(dir.path(), args);
    ASSERT_TRUE(node.Start()) << node.Output();
    std::atomic<int> failures{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        HttpClient client(node.port());
        for (int step = 0; step < 250; ++step) {
          const int i = (step * 7 + c * 13) % 120;
          const std::string path =
              "/eureka/apps/SNAP" + std::to_string(i % 4) + "/snap-" + std::to_string(i);
          int status = 0;
          switch (step % 5) {
            case 0:
            case 1:
              status = client.Request("POST", "/eureka/apps/SNAP" + std::to_string(i % 4),
                                      kJsonBody, Body(i))
                           .status;
              if (status != 204) ++failures;
              break;
            case 2:
              status = client.Request("PUT", path).status;
              if (status != 200 && status != 404) ++failures;
              break;
            case 3:
              status = client.Request("PUT", path + "/status?value=OUT_OF_SERVICE").status;
              if (status != 200 && status != 404) ++failures;
              break;
            default:
              status = client.Request("DELETE", path).status;
              if (status != 200 && status != 404) ++failures;
              break;
          }
        }
      });
    }
    for (std::thread& client : clients) client.join();
    ASSERT_EQ(failures.load(), 0);
    HttpClient client(node.port());
    apps_before = client.Get("/eureka/apps", kAcceptJson).body;
    Json status(client.Get("/logbook/v1/status", kAcceptJson).body);
    ASSERT_TRUE(status.ok());
    EXPECT_GE(status.IntAt("/snapshots/taken").value_or(0), 5) << node.Output();
    EXPECT_FALSE(status.Has("/snapshots/last_error")) << node.Output();
    node.Stop(SIGKILL);
  }
  std::string verify;
  ASSERT_EQ(logbook::testing::RunLogbook({"log", "verify", dir.path()}, &verify), 0) << verify;
  EXPECT_TRUE(absl::StrContains(verify, "snapshots equal to the replay")) << verify;
  NodeProcess node(dir.path(), args);
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient client(node.port());
  Json status(client.Get("/logbook/v1/status", kAcceptJson).body);
  EXPECT_GT(status.IntAt("/recovery/snapshot_offset").value_or(0), 0) << node.Output();
  EXPECT_EQ(client.Get("/eureka/apps", kAcceptJson).body, apps_before);
}

// Retention follows the snapshots: once a snapshot covers them, renewals older
// than logbook.log.renew-retention are dropped (first_offset moves up), and a
// node killed afterwards still recovers the identical registry from the
// snapshot plus the retained tail.
TEST(SnapshotRestart, RetentionDropsOnlyWhatASnapshotCoversAndRestartStillServesAll) {
  TempDir dir(ScratchParent());
  const std::vector<std::string> args = {
      "--set", "logbook.snapshot.every-events=50",       "--set",
      "logbook.log.renew-retention=200ms",                 "--set",
      "logbook.log.retention-interval-ms=50"};
  std::string apps_before;
  {
    NodeProcess node(dir.path(), args);
    ASSERT_TRUE(node.Start()) << node.Output();
    HttpClient client(node.port());
    constexpr int kInstances = 20;
    for (int i = 0; i < kInstances; ++i) {
      ASSERT_EQ(client.Request("POST", "/eureka/apps/SNAP" + std::to_string(i % 4), kJsonBody,
                               Body(i))
                    .status,
                204);
    }
    // Renew until retention has dropped a prefix the snapshots cover.
    std::int64_t first_offset = 1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (first_offset <= 1 && std::chrono::steady_clock::now() < deadline) {
      for (int i = 0; i < kInstances; ++i) {
        ASSERT_EQ(client
                      .Request("PUT", "/eureka/apps/SNAP" + std::to_string(i % 4) + "/snap-" +
                                          std::to_string(i))
                      .status,
                  200);
      }
      Json status(client.Get("/logbook/v1/status", kAcceptJson).body);
      ASSERT_TRUE(status.ok());
      first_offset = status.IntAt("/log/first_offset").value_or(1);
    }
    ASSERT_GT(first_offset, 1) << "retention never dropped anything\n" << node.Output();
    EXPECT_EQ(client.Get("/logbook/v1/events?from=1", kAcceptJson).status, 410);
    apps_before = client.Get("/eureka/apps", kAcceptJson).body;
    ASSERT_EQ(node.Stop(SIGKILL), 128 + SIGKILL);
  }
  NodeProcess node(dir.path(), args);
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient client(node.port());
  Json status(client.Get("/logbook/v1/status", kAcceptJson).body);
  ASSERT_TRUE(status.ok());
  EXPECT_GT(status.IntAt("/recovery/snapshot_offset").value_or(0), 0) << node.Output();
  // Renewal timestamps are part of the document; kill -9 loses nothing acknowledged.
  EXPECT_EQ(client.Get("/eureka/apps", kAcceptJson).body, apps_before);
}

}  // namespace
}  // namespace logbook::e2e
