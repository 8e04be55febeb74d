// Stock-Eureka peer traffic against the real binary, on both mounts:
// eureka-protocol.md §11 items 60–63 and the first half of 64 (E14 batches
// and single requests carrying x-netflix-discovery-replication: true).
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class ReplicationBatch : public WithO1Test {
 protected:
  HttpResult PostBatch(const std::string& items, const std::string& path = "/peerreplication/batch") {
    return http().Request("POST", B() + path, kJsonBody,
                          "{\"replicationList\":[" + items + "]}");
  }
  // Status codes of a batch response, in order.
  static std::vector<std::int64_t> Codes(const Json& response) {
    std::vector<std::int64_t> codes;
    const std::size_t count = response.SizeAt("/responseList").value_or(0);
    for (std::size_t i = 0; i < count; ++i) {
      codes.push_back(
          response.IntAt("/responseList/" + std::to_string(i) + "/statusCode").value_or(-1));
    }
    return codes;
  }
  static std::string MixedItems() {
    Registration r1 = R("ORDERS", "r1", "hr", "10.0.0.7");
    return R"({"appName":"ORDERS","id":"o1","lastDirtyTimestamp":1000,"status":"UP","action":"Heartbeat"},)"
           R"({"appName":"ORDERS","id":"ghost","lastDirtyTimestamp":1000,"status":"UP","action":"Heartbeat"},)"
           R"({"appName":"ORDERS","id":"ghost","action":"Cancel"},)"
           R"({"appName":"ORDERS","id":"r1","lastDirtyTimestamp":1000,"status":"UP","action":"Register","instanceInfo":)" +
           r1.InstanceJson() + "}";
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(ReplicationBatch);

// Item 60.
TEST_P(ReplicationBatch, AnswersEachItemInOrder) {
  const HttpResult result = PostBatch(MixedItems());
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json response(result.body);
  EXPECT_EQ(Codes(response), (std::vector<std::int64_t>{200, 404, 404, 200})) << result.body;
  EXPECT_FALSE(response.Has("/responseList/0/responseEntity")) << result.body;
  EXPECT_EQ(InstanceString("ORDERS", "r1", "hostName"), "hr");
}

// Item 60 with the Java client's trailing slash.
TEST_P(ReplicationBatch, TrailingSlashIsTheSameEndpoint) {
  const HttpResult result = PostBatch(MixedItems(), "/peerreplication/batch/");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Codes(Json(result.body)), (std::vector<std::int64_t>{200, 404, 404, 200}))
      << result.body;
  EXPECT_EQ(InstanceString("ORDERS", "r1", "hostName"), "hr");
}

// Item 61.
TEST_P(ReplicationBatch, OlderHeartbeatIsConflictWithBareInstance) {
  const HttpResult result = PostBatch(
      R"({"appName":"ORDERS","id":"o1","lastDirtyTimestamp":500,"status":"UP","action":"Heartbeat"})");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json response(result.body);
  EXPECT_EQ(Codes(response), std::vector<std::int64_t>{409}) << result.body;
  EXPECT_EQ(response.StringAt("/responseList/0/responseEntity/instanceId"), "o1") << result.body;
  EXPECT_EQ(response.StringAt("/responseList/0/responseEntity/lastDirtyTimestamp"), "1000");
  EXPECT_FALSE(response.Has("/responseList/0/responseEntity/instance")) << result.body;
}

// Item 62.
TEST_P(ReplicationBatch, StatusUpdateThenDeleteOverride) {
  HttpResult result = PostBatch(
      R"({"appName":"ORDERS","id":"o1","lastDirtyTimestamp":1000,"status":"OUT_OF_SERVICE","action":"StatusUpdate"})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Codes(Json(result.body)), std::vector<std::int64_t>{200}) << result.body;
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "OUT_OF_SERVICE");
  EXPECT_EQ(InstanceString("ORDERS", "o1", "overriddenStatus"), "OUT_OF_SERVICE");
  EXPECT_EQ(Json(StatusOverrides()).StringAt("/o1"), "OUT_OF_SERVICE");

  result = PostBatch(
      R"({"appName":"ORDERS","id":"o1","lastDirtyTimestamp":1000,"status":"UP","action":"DeleteStatusOverride"})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Codes(Json(result.body)), std::vector<std::int64_t>{200}) << result.body;
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "UP");
  EXPECT_EQ(InstanceString("ORDERS", "o1", "overriddenStatus"), "UNKNOWN");
  EXPECT_FALSE(Json(StatusOverrides()).Has("/o1"));
}

// Item 63.
TEST_P(ReplicationBatch, InvalidRegisterItemIsOkButRegistersNothing) {
  Registration nameless = R("ORDERS", "unused", "unused", "10.0.0.8");
  nameless.instance_id.reset();
  nameless.host_name.reset();
  const std::int64_t before = LastOffset();
  const HttpResult result = PostBatch(
      R"({"appName":"ORDERS","id":"x","lastDirtyTimestamp":1000,"status":"UP","action":"Register","instanceInfo":)" +
      nameless.InstanceJson() + "}");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Codes(Json(result.body)), std::vector<std::int64_t>{200}) << result.body;
  EXPECT_EQ(LastOffset(), before);
  const HttpResult apps = GetJson("/apps/ORDERS");
  EXPECT_EQ(Json(apps.body).SizeAt("/application/instance"), 1u) << apps.body;
}

// E14 table: StatusUpdate of an unknown id, DeleteStatusOverride without
// lastDirtyTimestamp.
TEST_P(ReplicationBatch, ItemFailuresAreReportedPerItem) {
  const HttpResult result = PostBatch(
      R"({"appName":"ORDERS","id":"ghost","lastDirtyTimestamp":1000,"status":"DOWN","action":"StatusUpdate"},)"
      R"({"appName":"ORDERS","id":"o1","status":"UP","action":"DeleteStatusOverride"},)"
      R"({"appName":"ORDERS","id":"o1","action":"Cancel"})");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Codes(Json(result.body)), (std::vector<std::int64_t>{404, 500, 200})) << result.body;
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
}

// E14: an unparsable batch.
TEST_P(ReplicationBatch, MalformedBatchIsBadRequest) {
  const HttpResult result =
      http().Request("POST", B() + "/peerreplication/batch", kJsonBody, "{\"replicationList\":[");
  EXPECT_EQ(result.status, 400);
}

class ReplicatedRequest : public EurekaTest {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(ReplicatedRequest);

// Item 64, first half (no peer configured: nothing to send onward).
TEST_P(ReplicatedRequest, RegisterIsNoContentAndLoggedAsFromAPeer) {
  const std::int64_t before = LastOffset();
  ASSERT_GE(before, 0);
  const HttpResult result = RegisterInstance(R("ORDERS", "p1", "hp", "10.0.0.6"), "",
                                             {{"x-netflix-discovery-replication", "true"}});
  EXPECT_EQ(result.status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "p1", "hostName"), "hp");
  const HttpResult events = Events(before + 1, "types=REGISTER");
  ASSERT_EQ(events.status, 200);
  const Json log(events.body);
  ASSERT_EQ(log.SizeAt("/events"), 1u) << events.body;
  EXPECT_EQ(log.StringAt("/events/0/instance_id"), "p1");
  EXPECT_EQ(log.StringAt("/events/0/source"), "eureka-peer");
}

}  // namespace
}  // namespace logbook::e2e
