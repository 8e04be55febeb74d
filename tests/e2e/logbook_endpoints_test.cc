// Logbook's own endpoints against the real binary (logbook-interface.md):
// /healthz, /readyz, /logbook/v1/status, /logbook/v1/events, and the JSON
// answers for unknown paths and wrong methods.
#include <atomic>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

std::string Body(const Registration& registration) { return registration.Json(); }

class Endpoints : public NodeTest {
 protected:
  HttpResult RegisterOn(HttpClient& client, const std::string& id) {
    return client.Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                          Body(R("ORDERS", id, "h-" + id, "10.0.0.1")));
  }
};

TEST_F(Endpoints, HealthzIsOk) {
  const HttpResult result = http().Get("/healthz");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  EXPECT_TRUE(Json(result.body).ok()) << result.body;
}

TEST_F(Endpoints, ReadyzIsOkOnceListening) {
  const HttpResult result = http().Get("/readyz");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
}

TEST_F(Endpoints, StatusHasTheDocumentedFields) {
  ASSERT_EQ(RegisterOn(http(), "o1").status, 204);
  const HttpResult result = http().Get("/logbook/v1/status");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json status(result.body);
  ASSERT_TRUE(status.ok()) << result.body;
  EXPECT_FALSE(status.StringAt("/node_id").value_or("").empty()) << result.body;
  EXPECT_EQ(status.TypeAt("/log/first_offset"), "number");
  EXPECT_GE(status.IntAt("/log/last_offset").value_or(0), 1);
  EXPECT_EQ(status.IntAt("/log/durable_offset"), status.IntAt("/log/last_offset"));
  EXPECT_EQ(status.IntAt("/registry/applications"), 1);
  EXPECT_EQ(status.IntAt("/registry/instances"), 1);
  EXPECT_EQ(status.TypeAt("/self_preservation"), "object");
  EXPECT_EQ(status.TypeAt("/peers"), "array");
  EXPECT_EQ(status.SizeAt("/peers"), 0u);
  EXPECT_EQ(status.TypeAt("/recovery/snapshot_offset"), "number");
  EXPECT_EQ(status.TypeAt("/recovery/replayed_events"), "number");
  EXPECT_EQ(status.TypeAt("/recovery/ms"), "number");
}

TEST_F(Endpoints, NodeIdOptionNamesTheNode) {
  // A second node on its own dir with a chosen id.
  TempDir dir(ScratchParent());
  NodeProcess named(dir.path() + "/data", {"--node-id", "node-a"});
  ASSERT_TRUE(named.Start()) << named.Output();
  HttpClient client(named.port());
  EXPECT_EQ(Json(client.Get("/logbook/v1/status").body).StringAt("/node_id"), "node-a");
}

TEST_F(Endpoints, EventsPageByFromLimitAndNext) {
  const std::int64_t start = LastOffset() + 1;
  ASSERT_GE(start, 1);
  for (const std::string id : {"o1", "o2", "o3"}) ASSERT_EQ(RegisterOn(http(), id).status, 204);

  HttpResult result = Events(start, "limit=2");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json first(result.body);
  ASSERT_EQ(first.SizeAt("/events"), 2u) << result.body;
  EXPECT_EQ(first.IntAt("/events/0/offset"), start);
  EXPECT_EQ(first.IntAt("/events/1/offset"), start + 1);
  EXPECT_EQ(first.StringAt("/events/0/type"), "REGISTER");
  EXPECT_EQ(first.StringAt("/events/0/app"), "ORDERS");
  EXPECT_EQ(first.StringAt("/events/0/instance_id"), "o1");
  EXPECT_EQ(first.StringAt("/events/1/instance_id"), "o2");
  EXPECT_EQ(first.TypeAt("/events/0/timestamp"), "number");
  EXPECT_EQ(first.TypeAt("/events/0/origin"), "string");
  EXPECT_EQ(first.TypeAt("/events/0/origin_offset"), "number");
  EXPECT_EQ(first.TypeAt("/events/0/instance"), "object");
  EXPECT_EQ(first.TypeAt("/first_offset"), "number");
  const std::int64_t next = first.IntAt("/next").value_or(0);
  EXPECT_EQ(next, start + 2);

  result = Events(next, "limit=2");
  ASSERT_EQ(result.status, 200);
  const Json second(result.body);
  ASSERT_EQ(second.SizeAt("/events"), 1u) << result.body;
  EXPECT_EQ(second.StringAt("/events/0/instance_id"), "o3");
  EXPECT_EQ(second.IntAt("/next"), start + 3);

  // At the end: nothing yet, and next stays put.
  result = Events(start + 3);
  ASSERT_EQ(result.status, 200);
  const Json end(result.body);
  EXPECT_EQ(end.SizeAt("/events"), 0u);
  EXPECT_EQ(end.IntAt("/next"), start + 3);
}

TEST_F(Endpoints, EventsTypesFilterKeepsOnlyThoseTypes) {
  const std::int64_t start = LastOffset() + 1;
  ASSERT_EQ(RegisterOn(http(), "o1").status, 204);
  ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/status?value=DOWN").status, 200);
  ASSERT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1").status, 200);
  const std::int64_t end = LastOffset();

  const HttpResult result = Events(start, "types=CANCEL,STATUS_UPDATE");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json events(result.body);
  ASSERT_EQ(events.SizeAt("/events"), 2u) << result.body;
  EXPECT_EQ(events.StringAt("/events/0/type"), "STATUS_UPDATE");
  EXPECT_EQ(events.StringAt("/events/0/status"), "DOWN");
  EXPECT_EQ(events.StringAt("/events/1/type"), "CANCEL");
  // Filtered-out events are still consumed.
  EXPECT_EQ(events.IntAt("/next"), end + 1);
}

TEST_F(Endpoints, EventsUnknownTypeIsBadRequest) {
  EXPECT_EQ(Events(1, "types=NOT_A_TYPE").status, 400);
}

TEST_F(Endpoints, EventsLongPollReturnsAsSoonAsAnEventArrives) {
  const std::int64_t from = LastOffset() + 1;
  ASSERT_GE(from, 1);
  constexpr std::int64_t kWaitMs = 10000;
  HttpResult polled;
  std::atomic<bool> sent = false;
  std::chrono::milliseconds elapsed{0};
  std::thread poller([&] {
    HttpClient client(port(), std::chrono::seconds(30));
    const auto start = std::chrono::steady_clock::now();
    const std::string request = "GET /logbook/v1/events?from=" + std::to_string(from) +
                                "&wait_ms=" + std::to_string(kWaitMs) +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    if (client.SendRaw(request)) {
      sent = true;
      polled = client.ReadResponse();
    }
    elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
  });
  ASSERT_TRUE(Await([&] { return sent.load(); }, std::chrono::seconds(5)));
  // Another client registers while the poll is parked.
  HttpClient writer(port());
  ASSERT_EQ(RegisterOn(writer, "o1").status, 204);
  poller.join();

  ASSERT_EQ(polled.status, 200) << polled.body;
  const Json events(polled.body);
  ASSERT_GE(events.SizeAt("/events").value_or(0), 1u) << polled.body;
  EXPECT_EQ(events.IntAt("/events/0/offset"), from);
  EXPECT_EQ(events.StringAt("/events/0/type"), "REGISTER");
  EXPECT_EQ(events.StringAt("/events/0/instance_id"), "o1");
  EXPECT_LT(elapsed.count(), kWaitMs / 2) << "the long-poll waited for its timeout";
}

TEST_F(Endpoints, EventsLongPollWithoutEventsAnswersEmptyAfterTheWait) {
  const std::int64_t from = LastOffset() + 1;
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = Events(from, "wait_ms=300");
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  ASSERT_EQ(result.status, 200) << result.body;
  const Json events(result.body);
  EXPECT_EQ(events.SizeAt("/events"), 0u);
  EXPECT_EQ(events.IntAt("/next"), from);
  EXPECT_GE(elapsed.count(), 250);
}

TEST_F(Endpoints, EventsFromZeroIsBadRequest) {
  const HttpResult result = Events(0);
  EXPECT_EQ(result.status, 400);
  EXPECT_TRUE(Json(result.body).Has("/error")) << result.body;
}

TEST_F(Endpoints, EventsFromGarbageIsBadRequest) {
  for (const std::string from : {"abc", "-1", "1x", ""}) {
    const HttpResult result = http().Get("/logbook/v1/events?from=" + from);
    EXPECT_EQ(result.status, 400) << "from=" << from;
    EXPECT_TRUE(Json(result.body).Has("/error")) << result.body;
  }
}

TEST_F(Endpoints, EventsFromFarBeyondTheEndIsBadRequest) {
  const std::int64_t last = LastOffset();
  ASSERT_GE(last, 0);
  const HttpResult result = Events(last + 1000);
  EXPECT_EQ(result.status, 400);
  EXPECT_TRUE(Json(result.body).Has("/error")) << result.body;
}

TEST_F(Endpoints, EventsBadLimitIsBadRequest) {
  EXPECT_EQ(Events(1, "limit=0").status, 400);
  EXPECT_EQ(Events(1, "limit=many").status, 400);
}

TEST_F(Endpoints, UnknownPathIsNotFoundWithJsonError) {
  for (const std::string path : {"/nope", "/eureka/v2/nope", "/logbook/v1/nope", "/eureka/v2/apps/A/B/C/D"}) {
    const HttpResult result = http().Get(path);
    EXPECT_EQ(result.status, 404) << path;
    EXPECT_EQ(result.Header("Content-Type"), "application/json") << path;
    EXPECT_TRUE(Json(result.body).StringAt("/error").has_value()) << path << ": " << result.body;
  }
}

TEST_F(Endpoints, WrongMethodIsMethodNotAllowed) {
  struct Case {
    std::string method;
    std::string path;
  };
  for (const Case& c : {Case{"POST", "/healthz"}, Case{"DELETE", "/logbook/v1/events"},
                        Case{"PUT", "/eureka/v2/apps"}, Case{"DELETE", "/eureka/apps/delta"},
                        Case{"GET", "/eureka/v2/peerreplication/batch"},
                        Case{"POST", "/eureka/v2/apps/ORDERS/o1"}}) {
    const HttpResult result = http().Request(c.method, c.path);
    EXPECT_EQ(result.status, 405) << c.method << " " << c.path;
    EXPECT_FALSE(result.Header("Allow").empty()) << c.method << " " << c.path;
    EXPECT_TRUE(Json(result.body).StringAt("/error").has_value()) << result.body;
  }
}

}  // namespace
}  // namespace logbook::e2e
