// The batch this node pushes to stock Eureka peers (E14 request) and the
// answer it reads back (ReplicationListResponse), checked against our own
// E14 reader: what we write is what a Eureka receiver reads.
#include <gtest/gtest.h>

#include "net/eureka/eureka_json.h"
#include "tests/net/eureka_samples.h"

namespace logbook::net::eureka {
namespace {

using testing::HostARecord;

OutgoingReplicationItem Item(std::string action, std::string id) {
  OutgoingReplicationItem item;
  item.action = std::move(action);
  item.app_name = "ORDERS";
  item.id = std::move(id);
  return item;
}

TEST(WriteReplicationListJson, CancelCarriesOnlyAppIdAndAction) {
  const OutgoingReplicationItem cancel = Item("Cancel", "o1");
  EXPECT_EQ(WriteReplicationListJson({&cancel}),
            R"({"replicationList":[{"appName":"ORDERS","id":"o1","action":"Cancel"}]})");
}

TEST(WriteReplicationListJson, HeartbeatHasNumericTimestampAndCamelCaseOverride) {
  OutgoingReplicationItem heartbeat = Item("Heartbeat", "o1");
  heartbeat.last_dirty_timestamp = 1718000000123;
  heartbeat.status = core::InstanceStatus::kOutOfService;
  heartbeat.overridden_status = core::InstanceStatus::kOutOfService;
  EXPECT_EQ(WriteReplicationListJson({&heartbeat}),
            R"({"replicationList":[{"appName":"ORDERS","id":"o1","lastDirtyTimestamp":1718000000123,)"
            R"("overriddenStatus":"OUT_OF_SERVICE","status":"OUT_OF_SERVICE","action":"Heartbeat"}]})");
}

TEST(WriteReplicationListJson, RegisterReadsBackThroughTheBatchReader) {
  const core::InstanceRecord record = HostARecord();
  OutgoingReplicationItem reg = Item("Register", record.info.instance_id.str());
  reg.last_dirty_timestamp = record.info.last_dirty_timestamp;
  reg.status = record.info.status;
  reg.instance = record;
  const OutgoingReplicationItem cancel = Item("Cancel", "o2");
  absl::StatusOr<std::vector<ReplicationItem>> items =
      ReadReplicationBatchJson(WriteReplicationListJson({&reg, &cancel}), 1);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 2u);
  const ReplicationItem& read = (*items)[0];
  EXPECT_EQ(read.action, "Register");
  EXPECT_EQ(read.app_name, "ORDERS");
  EXPECT_EQ(read.id, "host-a:orders:8080");
  EXPECT_EQ(read.last_dirty_timestamp, record.info.last_dirty_timestamp);
  EXPECT_EQ(read.status, "UP");
  ASSERT_TRUE(read.instance_info.has_value());
  ASSERT_TRUE(read.instance_info->ok()) << read.instance_info->status();
  EXPECT_EQ((*read.instance_info)->host_name, "host-a");
  EXPECT_EQ((*read.instance_info)->last_dirty_timestamp, record.info.last_dirty_timestamp);
  EXPECT_EQ((*items)[1].action, "Cancel");
  EXPECT_FALSE((*items)[1].instance_info.has_value());
}

TEST(ReadReplicationResponseJson, ReadsCodesAndTheConflictEntity) {
  const core::InstanceRecord record = HostARecord();
  std::vector<ReplicationResult> results(3);
  results[1].status_code = 409;
  results[1].response_entity = InstanceView{&record, core::ActionType::kAdded};
  results[2].status_code = 404;
  absl::StatusOr<std::vector<ReplicationResponseItem>> read =
      ReadReplicationResponseJson(WriteReplicationResponseJson(results), 1);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[0].status_code, 200);
  EXPECT_FALSE((*read)[0].response_entity.has_value());
  EXPECT_EQ((*read)[1].status_code, 409);
  ASSERT_TRUE((*read)[1].response_entity.has_value());
  ASSERT_TRUE((*read)[1].response_entity->ok());
  EXPECT_EQ((*(*read)[1].response_entity)->host_name, "host-a");
  EXPECT_EQ((*read)[2].status_code, 404);
}

TEST(ReadReplicationResponseJson, RefusesADocumentWithoutAList) {
  EXPECT_FALSE(ReadReplicationResponseJson("{}", 1).ok());
  EXPECT_FALSE(ReadReplicationResponseJson("not json", 1).ok());
  EXPECT_FALSE(ReadReplicationResponseJson(R"({"responseList":[{"statusCode":"x"}]})", 1).ok());
}

}  // namespace
}  // namespace logbook::net::eureka
