// GET /logbook/v1/history and log retention against the real binary
// (logbook-interface.md; storage/audit_index.h, storage/retention.h).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

// Eviction on a short clock (self-preservation off, 200 ms eviction timer)
// so the scripted scenario ends with an EVICT.
class History : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.enable-self-preservation=false", "--set",
            "eureka.server.eviction-interval-timer-in-ms=200"};
  }

  HttpResult Get(const std::string& query) { return http().Get("/logbook/v1/history?" + query); }

  std::vector<std::string> Types(const Json& doc) {
    std::vector<std::string> types;
    const std::size_t count = doc.SizeAt("/events").value_or(0);
    for (std::size_t i = 0; i < count; ++i) {
      types.push_back(doc.StringAt("/events/" + std::to_string(i) + "/type").value_or("?"));
    }
    return types;
  }

  // register, status change, override delete, metadata, cancel,
  // re-register (1 s lease), evict; o2 registered in between.
  void RunScenario() {
    ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                             R("ORDERS", "o1", "h1", "10.0.0.1").Json())
                  .status,
              204);
    ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1").status, 200);  // RENEW
    ASSERT_EQ(http()
                  .Request("PUT",
                           "/eureka/v2/apps/ORDERS/o1/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000")
                  .status,
              200);
    ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                             R("ORDERS", "o2", "h2", "10.0.0.2").Json())
                  .status,
              204);
    ASSERT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1/status?value=UP").status, 200);
    ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/metadata?zone=b").status, 200);
    ASSERT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1").status, 200);
    Registration again = R("ORDERS", "o1", "h1", "10.0.0.1");
    again.duration_secs = 1;
    ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody, again.Json()).status,
              204);
    const bool evicted = Await(
        [&] {
          const Json doc(Get("app=ORDERS&instance=o1&types=EVICT").body);
          return doc.SizeAt("/events").value_or(0) == 1;
        },
        std::chrono::seconds(15));
    ASSERT_TRUE(evicted) << Get("app=ORDERS&instance=o1").body;
  }
};

TEST_F(History, InstanceHistoryIsTheScriptedSequence) {
  RunScenario();
  const HttpResult result = Get("app=orders&instance=o1");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json doc(result.body);
  EXPECT_EQ(Types(doc),
            (std::vector<std::string>{"REGISTER", "STATUS_UPDATE", "DELETE_STATUS_OVERRIDE",
                                      "METADATA_UPDATE", "CANCEL", "REGISTER", "EVICT"}))
      << result.body;
  // The same event objects as /logbook/v1/events, plus what changed.
  EXPECT_EQ(doc.StringAt("/events/0/app"), "ORDERS");
  EXPECT_EQ(doc.StringAt("/events/0/instance_id"), "o1");
  EXPECT_EQ(doc.TypeAt("/events/0/origin"), "string");
  EXPECT_EQ(doc.TypeAt("/events/0/timestamp"), "number");
  EXPECT_EQ(doc.TypeAt("/events/0/instance"), "object");
  EXPECT_EQ(doc.TypeAt("/events/0/changes/status/before"), "null");
  EXPECT_EQ(doc.StringAt("/events/0/changes/status/after"), "UP");
  EXPECT_EQ(doc.StringAt("/events/1/status"), "OUT_OF_SERVICE");
  EXPECT_EQ(doc.StringAt("/events/1/changes/status/before"), "UP");
  EXPECT_EQ(doc.StringAt("/events/1/changes/status/after"), "OUT_OF_SERVICE");
  EXPECT_EQ(doc.StringAt("/events/1/changes/override"), "OUT_OF_SERVICE");
  EXPECT_EQ(doc.StringAt("/events/2/changes/status/before"), "OUT_OF_SERVICE");
  EXPECT_EQ(doc.TypeAt("/events/2/changes/override"), "null");
  EXPECT_EQ(doc.StringAt("/events/3/changes/metadata_keys/0"), "zone");
  EXPECT_EQ(doc.TypeAt("/events/5/changes/status/before"), "null");  // after a CANCEL
  EXPECT_EQ(doc.StringAt("/events/6/source"), "evictor");
  EXPECT_EQ(doc.TypeAt("/events/6/reason"), "object");
  EXPECT_EQ(doc.TypeAt("/events/6/reason/lease_expired_at"), "number") << result.body;
  // The same EVICT object as the change stream.
  const std::int64_t evict_offset = doc.IntAt("/events/6/offset").value_or(0);
  const Json stream(Events(evict_offset, "limit=1").body);
  EXPECT_EQ(stream.IntAt("/events/0/reason/lease_expired_at"),
            doc.IntAt("/events/6/reason/lease_expired_at"));
  EXPECT_EQ(doc.IntAt("/next"), evict_offset + 1);
}

TEST_F(History, AppTypesTimeRangeAndPaging) {
  RunScenario();
  const Json app(Get("app=ORDERS").body);
  EXPECT_EQ(Types(app), (std::vector<std::string>{"REGISTER", "STATUS_UPDATE", "REGISTER",
                                                  "DELETE_STATUS_OVERRIDE", "METADATA_UPDATE",
                                                  "CANCEL", "REGISTER", "EVICT"}));
  EXPECT_EQ(app.StringAt("/events/2/instance_id"), "o2");

  const Json types(Get("app=ORDERS&instance=o1&types=REGISTER,CANCEL").body);
  EXPECT_EQ(Types(types), (std::vector<std::string>{"REGISTER", "CANCEL", "REGISTER"}));

  // since/until by the events' own timestamps: from the STATUS_UPDATE to the CANCEL.
  const Json all(Get("app=ORDERS&instance=o1").body);
  const std::int64_t since = all.IntAt("/events/1/timestamp").value_or(0);
  const std::int64_t until = all.IntAt("/events/4/timestamp").value_or(0);
  const Json range(Get("app=ORDERS&instance=o1&since=" + std::to_string(since) +
                       "&until=" + std::to_string(until))
                       .body);
  // Neighbouring events can share a millisecond, so the expectation is every
  // event of the full history whose own timestamp lies in [since, until].
  std::vector<std::string> expected;
  const std::size_t count = all.SizeAt("/events").value_or(0);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string at = "/events/" + std::to_string(i);
    const std::int64_t timestamp = all.IntAt(at + "/timestamp").value_or(-1);
    if (timestamp >= since && timestamp <= until) {
      expected.push_back(all.StringAt(at + "/type").value_or("?"));
    }
  }
  ASSERT_GE(expected.size(), 4u);  // STATUS_UPDATE .. CANCEL at least
  EXPECT_EQ(Types(range), expected);

  // limit + next walk the same sequence.
  std::vector<std::string> paged;
  std::int64_t from = 1;
  for (int page = 0; page < 10; ++page) {
    const HttpResult result = Get("app=ORDERS&instance=o1&limit=3&from=" + std::to_string(from));
    ASSERT_EQ(result.status, 200) << result.body;
    const Json doc(result.body);
    const std::vector<std::string> types_page = Types(doc);
    EXPECT_LE(types_page.size(), 3u);
    if (types_page.empty()) break;
    paged.insert(paged.end(), types_page.begin(), types_page.end());
    from = doc.IntAt("/next").value_or(0);
  }
  EXPECT_EQ(paged, Types(all));
}

TEST_F(History, BadParametersAreBadRequest) {
  for (const std::string query :
       {"instance=o1", "app=ORDERS&since=x", "app=ORDERS&until=-1", "app=ORDERS&limit=0",
        "app=ORDERS&limit=abc", "app=ORDERS&types=NOPE", "app=ORDERS&types=RENEW",
        "app=ORDERS&since=10&until=5", "app=ORDERS&from=0"}) {
    const HttpResult result = Get(query);
    EXPECT_EQ(result.status, 400) << query << ": " << result.body;
    EXPECT_EQ(Json(result.body).StringAt("/error"), "bad parameter") << result.body;
  }
  EXPECT_EQ(http().Request("POST", "/logbook/v1/history?app=ORDERS").status, 405);
  EXPECT_EQ(Get("app=NOBODY").status, 200);
}

// Retention on a compressed clock: RENEWs kept 300 ms, a 100 ms retention
// period, and the test-only switch that lets retention drop events while
// recovery (full replay, until snapshots) would still need them.
class Retention : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.log.renew-retention=300ms", "--set",
            "logbook.log.retention-interval-ms=100", "--set",
            "logbook.log.test-only-retention-without-snapshot=true"};
  }
};

TEST_F(Retention, OldOffsetsAnswerGoneAndHistoryKeepsStateChanges) {
  ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                           R("ORDERS", "o1", "h1", "10.0.0.1").Json())
                .status,
            204);
  const std::int64_t register_offset = LastOffset();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1").status, 200);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  // One more event after the horizon, so something newer is kept.
  ASSERT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1").status, 200);
  std::int64_t first = 0;
  const bool dropped = Await(
      [&] {
        const Json status(http().Get("/logbook/v1/status").body);
        first = status.IntAt("/log/first_offset").value_or(0);
        return first > register_offset + 5;
      },
      std::chrono::seconds(10));
  ASSERT_TRUE(dropped) << http().Get("/logbook/v1/status").body;

  const HttpResult gone = Events(register_offset, "limit=10");
  EXPECT_EQ(gone.status, 410) << gone.body;
  const Json body(gone.body);
  EXPECT_EQ(body.StringAt("/error"), "gone");
  EXPECT_GE(body.IntAt("/first_offset").value_or(0), first);
  const HttpResult kept = Events(body.IntAt("/first_offset").value_or(1), "limit=10");
  EXPECT_EQ(kept.status, 200) << kept.body;

  // The REGISTER is gone from the change stream but not from the audit history.
  const HttpResult history = http().Get("/logbook/v1/history?app=ORDERS&instance=o1");
  ASSERT_EQ(history.status, 200) << history.body;
  const Json audit(history.body);
  ASSERT_EQ(audit.SizeAt("/events"), 1u) << history.body;
  EXPECT_EQ(audit.StringAt("/events/0/type"), "REGISTER");
  EXPECT_EQ(audit.IntAt("/events/0/offset"), register_offset);
}

}  // namespace
}  // namespace logbook::e2e
