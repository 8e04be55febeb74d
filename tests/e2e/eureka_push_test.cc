// Pushes to stock Eureka peers (--eureka-peers; docs/replication.md, "Mixed
// clusters"): the real binary against a mock Eureka replication endpoint
// (tests/testing/mock_eureka_peer.h), and against a second Logbook node
// taking the place of the Eureka peer.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/cluster_support.h"
#include "tests/e2e/e2e_support.h"
#include "tests/testing/mock_eureka_peer.h"

namespace logbook::e2e {
namespace {

using logbook::testing::MockEurekaPeer;
using logbook::testing::ReceivedItem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kDeadline = seconds(20);

std::string PeerUrl(int port) { return "http://127.0.0.1:" + std::to_string(port) + "/eureka/"; }

class EurekaPush : public NodeTest {
 protected:
  void SetUp() override {
    if (mock_port_ == 0) {
      ASSERT_TRUE(mock_.Start());
      mock_port_ = mock_.port();
    }
    NodeTest::SetUp();
  }
  std::vector<std::string> NodeArgs() const override {
    std::vector<std::string> args = {"--eureka-peers", PeerUrl(mock_port_)};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    return args;
  }

  HttpResult Register(const std::string& id, const std::string& host = "h1") {
    return http().Request("POST", "/eureka/apps/ORDERS", kJsonBody,
                          R("ORDERS", id, host, "10.0.0.1").Json());
  }
  HttpResult Renew(const std::string& id) {
    return http().Request("PUT", "/eureka/apps/ORDERS/" + id + "?status=UP&lastDirtyTimestamp=1000");
  }
  // The first item received with this action for this id, as JSON.
  std::string ItemJson(const std::string& action, const std::string& id) {
    for (const ReceivedItem& item : mock_.Items()) {
      if (item.action == action && item.id == id) return item.json;
    }
    return "";
  }
  bool AwaitItem(const std::string& action, const std::string& id, std::size_t count = 1) {
    return Await([&] { return mock_.Count(action, id) >= count; }, kDeadline);
  }
  // /logbook/v1/status's eureka_peers[0].
  std::optional<std::int64_t> PeerStat(const std::string& field) {
    const HttpResult result = http().Get("/logbook/v1/status");
    return Json(result.body).IntAt("/eureka_peers/0/" + field);
  }

  MockEurekaPeer mock_;
  int mock_port_ = 0;
  std::vector<std::string> extra_args_;
};

TEST_F(EurekaPush, ClientWritesArriveAsBatchItemsInEurekasShape) {
  ASSERT_EQ(Register("o1").status, 204);
  ASSERT_TRUE(AwaitItem("Register", "o1")) << node_->Output();
  ASSERT_EQ(Renew("o1").status, 200);
  ASSERT_EQ(http().Request("PUT", "/eureka/apps/ORDERS/o1/status?value=OUT_OF_SERVICE").status,
            200);
  ASSERT_EQ(http().Request("DELETE", "/eureka/apps/ORDERS/o1/status?value=UP").status, 200);
  ASSERT_EQ(http().Request("PUT", "/eureka/apps/ORDERS/o1/metadata?zone=a").status, 200);
  ASSERT_EQ(http().Request("DELETE", "/eureka/apps/ORDERS/o1").status, 200);
  ASSERT_TRUE(AwaitItem("Cancel", "o1")) << node_->Output();

  // In the order the client wrote them; the metadata update is a Register.
  std::vector<std::string> actions;
  for (const ReceivedItem& item : mock_.Items()) actions.push_back(item.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"Register", "Heartbeat", "StatusUpdate",
                                               "DeleteStatusOverride", "Register", "Cancel"}));
  for (const ReceivedItem& item : mock_.Items()) EXPECT_EQ(item.answered, 200) << item.json;

  for (const auto& batch : mock_.Batches()) {
    EXPECT_EQ(batch.method, "POST");
    EXPECT_EQ(batch.target, "/eureka/peerreplication/batch/");
    EXPECT_EQ(batch.replication_header, "true");
    EXPECT_EQ(batch.content_type, "application/json");
  }

  const Json reg(ItemJson("Register", "o1"));
  EXPECT_EQ(reg.StringAt("/appName"), "ORDERS");
  EXPECT_EQ(reg.StringAt("/id"), "o1");
  EXPECT_EQ(reg.TypeAt("/lastDirtyTimestamp"), "number");
  EXPECT_EQ(reg.IntAt("/lastDirtyTimestamp"), 1000);
  EXPECT_EQ(reg.StringAt("/status"), "UP");
  // A bare instance, no "instance" wrapper (E14).
  EXPECT_EQ(reg.StringAt("/instanceInfo/instanceId"), "o1");
  EXPECT_EQ(reg.StringAt("/instanceInfo/app"), "ORDERS");
  EXPECT_EQ(reg.StringAt("/instanceInfo/hostName"), "h1");
  EXPECT_EQ(reg.IntAt("/instanceInfo/leaseInfo/durationInSecs"), 90);
  EXPECT_FALSE(reg.Has("/overriddenStatus"));

  const Json heartbeat(ItemJson("Heartbeat", "o1"));
  EXPECT_EQ(heartbeat.StringAt("/appName"), "ORDERS");
  EXPECT_EQ(heartbeat.IntAt("/lastDirtyTimestamp"), 1000);
  EXPECT_EQ(heartbeat.StringAt("/status"), "UP");
  EXPECT_FALSE(heartbeat.Has("/instanceInfo"));

  const Json status_update(ItemJson("StatusUpdate", "o1"));
  EXPECT_EQ(status_update.StringAt("/status"), "OUT_OF_SERVICE");
  EXPECT_EQ(status_update.StringAt("/overriddenStatus"), "OUT_OF_SERVICE");
  EXPECT_EQ(status_update.TypeAt("/lastDirtyTimestamp"), "number");
  EXPECT_FALSE(status_update.Has("/instanceInfo"));

  const Json delete_override(ItemJson("DeleteStatusOverride", "o1"));
  EXPECT_EQ(delete_override.StringAt("/status"), "UP");
  EXPECT_EQ(delete_override.TypeAt("/lastDirtyTimestamp"), "number");

  const Json cancel(ItemJson("Cancel", "o1"));
  EXPECT_EQ(cancel.KeysAt(""), (std::vector<std::string>{"appName", "id", "action"}));

  // Counted once the pusher read the answer, a moment after the mock sent it.
  EXPECT_TRUE(Await([&] { return PeerStat("sent_items") == 6; }, kDeadline));
  EXPECT_EQ(PeerStat("queue_length"), 0);
  const Json status(http().Get("/logbook/v1/status").body);
  EXPECT_EQ(status.StringAt("/eureka_peers/0/url"), PeerUrl(mock_port_));
  EXPECT_GT(status.IntAt("/eureka_peers/0/last_success_ms").value_or(0), 0);
}

TEST_F(EurekaPush, HeartbeatAnsweredNotFoundIsFollowedByRegister) {
  ASSERT_EQ(Register("o1").status, 204);
  ASSERT_TRUE(AwaitItem("Register", "o1"));
  mock_.Forget("o1");  // as a peer that restarted empty
  ASSERT_EQ(Renew("o1").status, 200);
  ASSERT_TRUE(AwaitItem("Register", "o1", 2)) << node_->Output();
  const std::vector<ReceivedItem> items = mock_.Items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].action, "Heartbeat");
  EXPECT_EQ(items[1].answered, 404);
  EXPECT_EQ(items[2].action, "Register");
  EXPECT_EQ(Json(items[2].json).StringAt("/instanceInfo/hostName"), "h1");
  EXPECT_EQ(PeerStat("reregistered"), 1);
  // Known again: the next heartbeat is fine.
  ASSERT_EQ(Renew("o1").status, 200);
  ASSERT_TRUE(AwaitItem("Heartbeat", "o1", 2));
  EXPECT_EQ(mock_.Items().back().answered, 200);
}

TEST_F(EurekaPush, HeartbeatConflictAdoptsThePeersNewerCopy) {
  ASSERT_EQ(Register("o1").status, 204);
  ASSERT_TRUE(AwaitItem("Register", "o1"));
  Registration newer = R("ORDERS", "o1", "h-from-peer", "10.0.0.9");
  newer.last_dirty_timestamp = "5000";
  mock_.SetConflict("o1", newer.InstanceJson());
  ASSERT_EQ(Renew("o1").status, 200);
  ASSERT_TRUE(Await(
      [&] {
        const HttpResult result = http().Get("/eureka/apps/ORDERS/o1", kAcceptJson);
        return Json(result.body).StringAt("/instance/hostName") == "h-from-peer";
      },
      kDeadline))
      << node_->Output();
  EXPECT_EQ(PeerStat("conflicts"), 1);
  // Adopted as a replicated write: not pushed back to the peer.
  const std::size_t registers = mock_.Count("Register", "o1");
  ASSERT_EQ(Register("marker").status, 204);
  ASSERT_TRUE(AwaitItem("Register", "marker"));
  EXPECT_EQ(mock_.Count("Register", "o1"), registers);
}

TEST_F(EurekaPush, ReplicatedWritesAreNotPushedBack) {
  const Headers replicated = {{"Content-Type", "application/json"},
                              {"x-netflix-discovery-replication", "true"}};
  ASSERT_EQ(http().Request("POST", "/eureka/apps/ORDERS", replicated,
                           R("ORDERS", "r1", "hr", "10.0.0.2").Json()).status,
            204);
  ASSERT_EQ(http().Request("PUT", "/eureka/apps/ORDERS/r1", {{"x-netflix-discovery-replication",
                                                              "true"}}).status,
            200);
  const std::string batch = R"({"replicationList":[{"appName":"ORDERS","id":"r2","lastDirtyTimestamp":1000,"status":"UP","action":"Register","instanceInfo":)" +
                            R("ORDERS", "r2", "hr2", "10.0.0.3").InstanceJson() +
                            R"(},{"appName":"ORDERS","id":"r1","action":"Cancel"}]})";
  ASSERT_EQ(http().Request("POST", "/eureka/peerreplication/batch", kJsonBody, batch).status,
            200);
  // A client write after them: once it arrived, anything pushed before it has too.
  ASSERT_EQ(Register("marker").status, 204);
  ASSERT_TRUE(AwaitItem("Register", "marker")) << node_->Output();
  for (const ReceivedItem& item : mock_.Items()) {
    EXPECT_EQ(item.id, "marker") << item.json;
  }
}

TEST_F(EurekaPush, DeadPeerNeverSlowsClientsQueueIsBoundedAndDrainsWhenItReturns) {
  // Re-start the node with a small queue, the mock hanging (accepts, never answers).
  extra_args_ = {"--set", "logbook.eureka-peers.max-queue-items=20"};
  http_.reset();
  node_.reset();
  mock_.SetHang(true);
  StartNode();
  ASSERT_FALSE(HasFatalFailure());

  const auto timed = [](auto request) {
    const auto start = std::chrono::steady_clock::now();
    const HttpResult result = request();
    return std::make_pair(result.status, std::chrono::duration_cast<milliseconds>(
                                             std::chrono::steady_clock::now() - start));
  };
  milliseconds slowest{0};
  for (int i = 0; i < 10; ++i) {
    auto [status, took] = timed([&] { return Register("i" + std::to_string(i)); });
    ASSERT_EQ(status, 204);
    slowest = std::max(slowest, took);
  }
  // The pusher now waits on the hanging peer (its read timeout is 5 s).
  ASSERT_TRUE(Await([&] { return !mock_.Batches().empty(); }, kDeadline));
  mock_.Stop();  // and now the peer is gone: connections refused
  for (int i = 0; i < 10; ++i) {
    auto [status, took] = timed([&] { return Renew("i" + std::to_string(i)); });
    ASSERT_EQ(status, 200);
    slowest = std::max(slowest, took);
  }
  for (int i = 10; i < 15; ++i) {
    auto [status, took] = timed([&] { return Register("i" + std::to_string(i)); });
    ASSERT_EQ(status, 204);
    slowest = std::max(slowest, took);
  }
  // Generous for a loaded 2-core machine; a write waiting on the peer would
  // take the 5 s read timeout.
  EXPECT_LT(slowest, milliseconds(3000));

  // 15 registers + 10 heartbeats > 20: the 5 oldest heartbeats went.
  ASSERT_TRUE(Await([&] { return PeerStat("dropped_items") == 5; }, kDeadline))
      << http().Get("/logbook/v1/status").body;
  EXPECT_LE(PeerStat("queue_length").value_or(99), 20);
  EXPECT_GE(PeerStat("send_errors").value_or(0), 1);
  const std::string metrics = http().Get("/metrics").body;
  EXPECT_NE(metrics.find("logbook_eureka_peer_dropped_items_total{peer=\"" +
                         PeerUrl(mock_port_) + "\"} 5"),
            std::string::npos)
      << metrics;

  mock_.SetHang(false);
  const std::size_t before = mock_.Items().size();
  ASSERT_TRUE(mock_.Start(mock_port_));
  ASSERT_TRUE(Await([&] { return mock_.Items().size() >= before + 20; }, kDeadline))
      << http().Get("/logbook/v1/status").body;
  std::size_t registers = 0;
  std::size_t heartbeats = 0;
  const std::vector<ReceivedItem> items = mock_.Items();
  for (std::size_t i = before; i < items.size(); ++i) {
    registers += items[i].action == "Register";
    heartbeats += items[i].action == "Heartbeat";
  }
  EXPECT_EQ(registers, 15u);
  EXPECT_EQ(heartbeats, 5u);
  EXPECT_TRUE(Await([&] { return PeerStat("queue_length") == 0; }, kDeadline));

  // Each trip of the bound and each outage is logged once, with the peer.
  const std::string output = node_->Output();
  EXPECT_NE(output.find("eureka push: queue full"), std::string::npos) << output;
  EXPECT_NE(output.find("eureka push: cannot push to the peer"), std::string::npos) << output;
  EXPECT_TRUE(Await(
      [&] {
        return node_->Output().find("eureka push: the peer accepts batches again") !=
               std::string::npos;
      },
      kDeadline))
      << node_->Output();
}

// Node B stands in for the stock Eureka peer: it accepts Eureka's batch
// format, so what A pushes must be what a Eureka receiver applies.
TEST(EurekaPushToLogbook, RegistrationOnAReachesBThroughTheEurekaPath) {
  TempDir dir(ScratchParent());
  NodeProcess b(dir.path() + "/b");
  ASSERT_TRUE(b.Start()) << b.Output();
  NodeProcess a(dir.path() + "/a", {"--eureka-peers", PeerUrl(b.port())});
  ASSERT_TRUE(a.Start()) << a.Output();
  HttpClient to_a(a.port());
  HttpClient to_b(b.port());

  const auto on_b = [&](const std::string& field) {
    return Json(to_b.Get("/eureka/apps/ORDERS/o1", kAcceptJson).body).StringAt("/instance/" + field);
  };
  ASSERT_EQ(to_a.Request("POST", "/eureka/apps/ORDERS", kJsonBody,
                         R("ORDERS", "o1", "h1", "10.0.0.1").Json()).status,
            204);
  ASSERT_TRUE(Await([&] { return on_b("hostName") == "h1"; }, kDeadline)) << a.Output();
  ASSERT_EQ(to_a.Request("PUT", "/eureka/apps/ORDERS/o1/status?value=OUT_OF_SERVICE").status, 200);
  ASSERT_TRUE(Await([&] { return on_b("status") == "OUT_OF_SERVICE"; }, kDeadline));
  ASSERT_EQ(to_a.Request("DELETE", "/eureka/apps/ORDERS/o1").status, 200);
  ASSERT_TRUE(Await([&] { return to_b.Get("/eureka/apps/ORDERS/o1", kAcceptJson).status == 404; },
                    kDeadline));

  // B logged them as Eureka replication, not as client writes.
  const Json events(
      to_b.Get("/logbook/v1/events?from=1&limit=100&types=REGISTER,STATUS_UPDATE,CANCEL").body);
  const std::size_t count = events.SizeAt("/events").value_or(0);
  ASSERT_EQ(count, 3u);
  for (std::size_t i = 0; i < count; ++i) {
    EXPECT_EQ(events.StringAt("/events/" + std::to_string(i) + "/source"), "eureka-peer");
  }
  EXPECT_TRUE(Await(
      [&] {
        return Json(to_a.Get("/logbook/v1/status").body).IntAt("/eureka_peers/0/sent_items") >= 3;
      },
      kDeadline));
  EXPECT_EQ(Json(to_a.Get("/logbook/v1/status").body).IntAt("/eureka_peers/0/failed_items"), 0);
}

}  // namespace
}  // namespace logbook::e2e
