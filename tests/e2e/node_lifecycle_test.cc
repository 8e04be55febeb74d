// The process as operators see it: restart on the same data dir (§11 item
// 70, Part A's restart grace), the data dir lock, startup errors for bad
// configuration, and SIGTERM.
#include <algorithm>
#include <cctype>
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

class Restart : public NodeTest {
 protected:
  // Self-preservation off so that, but for the restart grace, an expired
  // lease is evicted at the first eviction run. The first node evicts only
  // every minute (never within a test); restarted nodes every 200 ms.
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.enable-self-preservation=false", "--set",
            std::string("eureka.server.eviction-interval-timer-in-ms=") +
                (restarted_ ? "200" : "60000")};
  }
  void RestartNode() {
    StopNode();
    if (HasFatalFailure()) return;
    restarted_ = true;
    StartNode();
  }

  bool restarted_ = false;
};

// Item 70: served as soon as the node is up, on both mounts.
TEST_F(Restart, RecoveredRegistryIsServedImmediately) {
  ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                           R("ORDERS", "o1", "h1", "10.0.0.1").Json())
                .status,
            204);
  ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/status?value=OUT_OF_SERVICE").status,
            200);
  const std::int64_t last = LastOffset();
  RestartNode();
  if (HasFatalFailure()) return;

  EXPECT_EQ(http().Get("/readyz").status, 200);
  for (const std::string mount : {"/eureka/v2", "/eureka"}) {
    const HttpResult result = http().Get(mount + "/apps", kAcceptJson);
    ASSERT_EQ(result.status, 200) << mount;
    const Json apps(result.body);
    const std::string o1 = InstancePointer(apps, "ORDERS", "o1");
    ASSERT_FALSE(o1.empty()) << mount << ": " << result.body;
    EXPECT_EQ(apps.StringAt(o1 + "/status"), "OUT_OF_SERVICE");
    EXPECT_EQ(apps.StringAt("/applications/apps__hashcode"), "OUT_OF_SERVICE_1_");
  }
  EXPECT_EQ(Json(http().Get("/eureka/serverinfo/statusoverrides").body).StringAt("/o1"),
            "OUT_OF_SERVICE");
  const Json status(http().Get("/logbook/v1/status").body);
  EXPECT_EQ(status.IntAt("/log/last_offset"), last);
  // A clean stop snapshots the log, so the state comes from the snapshot
  // and the replay together.
  EXPECT_EQ(status.IntAt("/recovery/snapshot_offset").value_or(0) +
                status.IntAt("/recovery/replayed_events").value_or(0),
            last);
  // The log continues where it stopped.
  ASSERT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1").status, 200);
  EXPECT_EQ(LastOffset(), last + 1);
}

// Item 70, second half: a lease that expired while the node was down gets
// its own duration (2 s) after the restart before it can be evicted.
TEST_F(Restart, ExpiredLeaseIsNotEvictedDuringTheRestartGrace) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.duration_secs = 2;
  ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody, registration.Json())
                .status,
            204);
  // E10 hides an expired lease: this is how we know it expired.
  ASSERT_TRUE(Await(
      [&] {
        return http().Get("/eureka/v2/apps/ORDERS/o1", kAcceptJson).status == 404;
      },
      std::chrono::seconds(10)));
  const std::int64_t last = LastOffset();
  RestartNode();
  if (HasFatalFailure()) return;
  const auto started = std::chrono::steady_clock::now();

  // Served at once despite the expired lease.
  const HttpResult apps = http().Get("/eureka/v2/apps", kAcceptJson);
  ASSERT_EQ(apps.status, 200);
  EXPECT_FALSE(InstancePointer(Json(apps.body), "ORDERS", "o1").empty()) << apps.body;

  // Nothing is evicted for the first second after the restart (several
  // eviction runs at 200 ms): the long-poll waits for an EVICT that must not come.
  const HttpResult quiet = Events(last + 1, "types=EVICT&wait_ms=1000");
  ASSERT_EQ(quiet.status, 200);
  const auto quiet_for = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (quiet_for < std::chrono::milliseconds(1900)) {
    EXPECT_EQ(Json(quiet.body).SizeAt("/events"), 0u)
        << "evicted " << quiet_for.count() << " ms after the restart: " << quiet.body;
  }

  // After the grace the lease is evicted as usual.
  EXPECT_TRUE(Await(
      [&] {
        const HttpResult events = Events(last + 1, "types=EVICT");
        return Json(events.body).StringAt("/events/0/instance_id") == "o1";
      },
      std::chrono::seconds(15)))
      << Events(last + 1).body;
}

TEST(DataDirLock, SecondNodeOnTheSameDirExitsWithOne) {
  TempDir dir(ScratchParent());
  const std::string data_dir = dir.path() + "/data";
  NodeProcess first(data_dir);
  ASSERT_TRUE(first.Start()) << first.Output();
  std::string output;
  const int code = logbook::testing::RunLogbook(
      {"serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir}, &output);
  EXPECT_EQ(code, 1) << output;
  const std::string lower = Lower(output);
  EXPECT_TRUE(output.find(data_dir) != std::string::npos ||
              lower.find("lock") != std::string::npos)
      << output;
  // The first node is unaffected.
  HttpClient client(first.port());
  EXPECT_EQ(client.Get("/readyz").status, 200);
}

TEST(DataDirLock, DirIsFreeAgainAfterAStop) {
  TempDir dir(ScratchParent());
  const std::string data_dir = dir.path() + "/data";
  NodeProcess first(data_dir);
  ASSERT_TRUE(first.Start()) << first.Output();
  ASSERT_EQ(first.Stop(SIGTERM), 0) << first.Output();
  NodeProcess second(data_dir);
  EXPECT_TRUE(second.Start()) << second.Output();
}

TEST(Startup, UnknownSetKeyExitsWithTwoNamingTheKey) {
  TempDir dir(ScratchParent());
  std::string output;
  const int code = logbook::testing::RunLogbook(
      {"serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.path() + "/data",
       "--set", "eureka.server.no-such-key=1"},
      &output);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("eureka.server.no-such-key"), std::string::npos) << output;
}

TEST(Startup, MalformedValueExitsWithTwoNamingTheKey) {
  TempDir dir(ScratchParent());
  std::string output;
  const int code = logbook::testing::RunLogbook(
      {"serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.path() + "/data",
       "--set", "logbook.http.max-connections=lots"},
      &output);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("logbook.http.max-connections"), std::string::npos) << output;
}

TEST(Shutdown, SigtermExitsWithZero) {
  TempDir dir(ScratchParent());
  NodeProcess node(dir.path() + "/data");
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient client(node.port());
  ASSERT_EQ(client.Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                           R("ORDERS", "o1", "h1", "10.0.0.1").Json())
                .status,
            204);
  EXPECT_EQ(node.Stop(SIGTERM), 0) << node.Output();
}

TEST(Shutdown, SigtermAnswersAParkedLongPoll) {
  TempDir dir(ScratchParent());
  NodeProcess node(dir.path() + "/data");
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient client(node.port(), std::chrono::seconds(30));
  const Json status(client.Get("/logbook/v1/status").body);
  const std::int64_t from = status.IntAt("/log/last_offset").value_or(0) + 1;
  ASSERT_TRUE(client.SendRaw("GET /logbook/v1/events?from=" + std::to_string(from) +
                             "&wait_ms=30000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  // Let the server read the request before the signal (it answers either way).
  HttpClient other(node.port());
  ASSERT_EQ(other.Get("/healthz").status, 200);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(node.Stop(SIGTERM), 0) << node.Output();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace logbook::e2e
