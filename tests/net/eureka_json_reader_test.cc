// The lenient Eureka JSON reader (eureka-protocol.md §3.4, E1 defaults, E14).
#include <gtest/gtest.h>

#include "net/eureka/eureka_json.h"
#include "tests/net/eureka_samples.h"

namespace logbook::net::eureka {
namespace {

using testing::RegistrationBody;

constexpr core::TimestampMs kNow = 1718000000555;

core::InstanceInfo MustRead(std::string_view body) {
  absl::StatusOr<core::InstanceInfo> info = ReadInstanceJson(body, kNow);
  EXPECT_TRUE(info.ok()) << info.status() << "\n" << body;
  return info.ok() ? *info : core::InstanceInfo{};
}

TEST(EurekaJsonReader, MinimalRegistration) {
  const core::InstanceInfo info = MustRead(RegistrationBody("ORDERS", "o1", "h1", "10.0.0.1"));
  EXPECT_EQ(info.instance_id, "o1");
  EXPECT_EQ(info.host_name, "h1");
  EXPECT_EQ(info.app, "ORDERS");
  EXPECT_EQ(info.ip_addr, "10.0.0.1");
  EXPECT_EQ(info.status, core::InstanceStatus::kUp);
  EXPECT_EQ(info.port, (core::PortInfo{8080, true}));
  EXPECT_EQ(info.secure_port, (core::PortInfo{443, false}));
  EXPECT_TRUE(info.has_data_center);
  EXPECT_EQ(info.data_center.name, "MyOwn");
  EXPECT_EQ(info.data_center.class_name, core::kDefaultDataCenterClass);
  EXPECT_EQ(info.vip_address, "orders-vip");
  EXPECT_EQ(info.last_dirty_timestamp, 1000);
  EXPECT_EQ(info.last_updated_timestamp, kNow);
}

// E1 "Defaults applied" for everything a body leaves out.
TEST(EurekaJsonReader, DefaultsForMissingFields) {
  const core::InstanceInfo info = MustRead(R"({"instance":{"app":"x"}})");
  EXPECT_FALSE(info.instance_id.has_value());
  EXPECT_EQ(info.app, "X");
  EXPECT_EQ(info.status, core::InstanceStatus::kUp);
  EXPECT_EQ(info.overridden_status, core::InstanceStatus::kUnknown);
  EXPECT_EQ(info.port, (core::PortInfo{7001, true}));
  EXPECT_EQ(info.secure_port, (core::PortInfo{7002, false}));
  EXPECT_EQ(info.country_id, 1);
  EXPECT_EQ(info.sid, "na");
  EXPECT_TRUE(info.metadata.empty());
  EXPECT_FALSE(info.has_data_center);
  EXPECT_EQ(info.renewal_interval_secs, 30);
  EXPECT_EQ(info.duration_secs, 90);
  EXPECT_EQ(info.last_dirty_timestamp, kNow);
  EXPECT_EQ(info.last_updated_timestamp, kNow);
  EXPECT_FALSE(info.is_coordinating_discovery_server);
  EXPECT_FALSE(info.vip_address.has_value());
}

// One row per §3.4 rule: a field spliced into R(...) and what it must yield.
struct LeniencyCase {
  const char* name;
  const char* fields;
  bool (*check)(const core::InstanceInfo&);
};

const LeniencyCase kLeniencyCases[] = {
    {"NumericStringCountry", R"("countryId":"3")",
     [](const core::InstanceInfo& i) { return i.country_id == 3; }},
    {"NumberCountry", R"("countryId":4)",
     [](const core::InstanceInfo& i) { return i.country_id == 4; }},
    {"IntegralFloat", R"("countryId":5.0)",
     [](const core::InstanceInfo& i) { return i.country_id == 5; }},
    {"BooleanCoordinating", R"("isCoordinatingDiscoveryServer":true)",
     [](const core::InstanceInfo& i) { return i.is_coordinating_discovery_server; }},
    {"StringCoordinating", R"("isCoordinatingDiscoveryServer":"TRUE")",
     [](const core::InstanceInfo& i) { return i.is_coordinating_discovery_server; }},
    {"StringFalseCoordinating", R"("isCoordinatingDiscoveryServer":"false")",
     [](const core::InstanceInfo& i) { return !i.is_coordinating_discovery_server; }},
    {"NullIsAbsent", R"("appGroupName":null,"asgName":null,"instanceId":null)",
     [](const core::InstanceInfo& i) {
       return !i.app_group_name && !i.asg_name && i.instance_id == "o1";
     }},
    {"LegacyOverriddenStatus", R"("overriddenstatus":"OUT_OF_SERVICE")",
     [](const core::InstanceInfo& i) {
       return i.overridden_status == core::InstanceStatus::kOutOfService;
     }},
    {"CamelOverriddenStatus", R"("overriddenStatus":"DOWN")",
     [](const core::InstanceInfo& i) {
       return i.overridden_status == core::InstanceStatus::kDown;
     }},
    {"LowerCaseStatusIsUnknown", R"("status":"up")",  // §11 item 13
     [](const core::InstanceInfo& i) { return i.status == core::InstanceStatus::kUnknown; }},
    {"BogusStatusIsUnknown", R"("status":"SLEEPING")",
     [](const core::InstanceInfo& i) { return i.status == core::InstanceStatus::kUnknown; }},
    {"AppUpperCased", R"("app":"orders")",  // §11 item 3 (later key wins)
     [](const core::InstanceInfo& i) { return i.app == "ORDERS"; }},
    {"AppGroupUpperCased", R"("appGroupName":"payments")",
     [](const core::InstanceInfo& i) { return i.app_group_name == "PAYMENTS"; }},
    {"PortNumericString", R"("port":{"$":"9090","@enabled":"false"})",
     [](const core::InstanceInfo& i) {
       return i.port == core::PortInfo{9090, false};
     }},
    {"PortBooleanEnabled", R"("securePort":{"$":8443,"@enabled":true})",
     [](const core::InstanceInfo& i) {
       return i.secure_port == core::PortInfo{8443, true};
     }},
    {"PortBareNumber", R"("port":7070)",
     [](const core::InstanceInfo& i) {
       return i.port == core::PortInfo{7070, true};
     }},
    {"MetadataClassSkipped", R"("metadata":{"@class":"java.util.Collections$EmptyMap"})",
     [](const core::InstanceInfo& i) { return i.metadata.empty(); }},
    {"MetadataKept", R"("metadata":{"@class":"x","zone":"z1","n":7,"b":true,"gone":null})",
     [](const core::InstanceInfo& i) {
       return i.metadata ==
              std::map<std::string, std::string>{{"zone", "z1"}, {"n", "7"}, {"b", "true"}};
     }},
    {"LeaseRenewalTimestampAlias",
     R"("leaseInfo":{"renewalIntervalInSecs":"5","durationInSecs":15,"renewalTimestamp":123})",
     [](const core::InstanceInfo& i) {
       return i.renewal_interval_secs == 5 && i.duration_secs == 15;
     }},
    {"NonPositiveLeaseMeansDefault",
     R"("leaseInfo":{"renewalIntervalInSecs":0,"durationInSecs":-1})",
     [](const core::InstanceInfo& i) {
       return i.EffectiveRenewalIntervalSecs() == 30 && i.EffectiveDurationSecs() == 90;
     }},
    {"UnknownFieldsIgnored", R"("surprise":{"deep":[1,2,{"x":null}]},"actionType":"DELETED")",
     [](const core::InstanceInfo& i) { return i.app == "ORDERS"; }},
    {"DataCenterWithoutClass", R"("dataCenterInfo":{"name":"MyOwn"})",
     [](const core::InstanceInfo& i) {
       return i.has_data_center && i.data_center.name == "MyOwn" &&
              i.data_center.class_name == core::kDefaultDataCenterClass;
     }},
    {"AmazonByClass",
     R"("dataCenterInfo":{"@class":"com.netflix.appinfo.AmazonInfo","metadata":{"instance-id":"i-1"}})",
     [](const core::InstanceInfo& i) {
       return i.data_center.IsAmazon() && i.data_center.metadata.at("instance-id") == "i-1" &&
              i.data_center.class_name == core::kAmazonDataCenterClass;
     }},
    {"AmazonByName",
     R"("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"Amazon","metadata":{"ami-id":"a"}})",
     [](const core::InstanceInfo& i) {
       return i.data_center.IsAmazon() && i.data_center.metadata.at("ami-id") == "a";
     }},
    {"DefaultDataCenterDropsMetadata",
     R"("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"Netflix","metadata":{"k":"v"}})",
     [](const core::InstanceInfo& i) {
       return i.data_center.name == "Netflix" && i.data_center.metadata.empty();
     }},
    {"DataCenterWithoutName",
     R"("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"})",
     [](const core::InstanceInfo& i) { return i.has_data_center && i.data_center.name.empty(); }},
    {"NumericTimestamps", R"("lastUpdatedTimestamp":42,"lastDirtyTimestamp":43)",
     [](const core::InstanceInfo& i) {
       return i.last_updated_timestamp == 42 && i.last_dirty_timestamp == 43;
     }},
    {"NumberAsString", R"("sid":12)", [](const core::InstanceInfo& i) { return i.sid == "12"; }},
    {"EmptyInstanceIdIsKept", R"("instanceId":"")",
     [](const core::InstanceInfo& i) { return i.instance_id == ""; }},
};

TEST(EurekaJsonReader, LeniencyTable) {
  for (const LeniencyCase& c : kLeniencyCases) {
    // Appended last, so a field the body already has is overridden.
    std::string body = RegistrationBody("ORDERS", "o1", "h1", "10.0.0.1");
    body.insert(body.size() - 2, std::string(",") + c.fields);
    absl::StatusOr<core::InstanceInfo> info = ReadInstanceJson(body, kNow);
    ASSERT_TRUE(info.ok()) << c.name << ": " << info.status();
    EXPECT_TRUE(c.check(*info)) << c.name;
  }
}

TEST(EurekaJsonReader, NullDataCenterIsMissing) {
  const core::InstanceInfo info =
      MustRead(R"({"instance":{"hostName":"h","app":"A","ipAddr":"1","dataCenterInfo":null}})");
  EXPECT_FALSE(info.has_data_center);
}

TEST(EurekaJsonReader, MissingStatusMeansUp) {
  const core::InstanceInfo info = MustRead(
      R"({"instance":{"hostName":"h","app":"A","ipAddr":"1","dataCenterInfo":{"name":"MyOwn"}}})");
  EXPECT_EQ(info.status, core::InstanceStatus::kUp);
}

// What Spring's RestClient transport sends (§3.1, §11 item 12): a plain bean
// rendering with numbers, booleans and nulls.
TEST(EurekaJsonReader, SpringClientBody) {
  const core::InstanceInfo info = MustRead(R"({"instance":{
    "instanceId":"host1:orders:8080","app":"ORDERS","appGroupName":null,"ipAddr":"10.0.0.9",
    "sid":"na","homePageUrl":"http://host1:8080/","statusPageUrl":"http://host1:8080/actuator/info",
    "healthCheckUrl":"http://host1:8080/actuator/health","secureHealthCheckUrl":null,
    "vipAddress":"orders","secureVipAddress":"orders","countryId":1,
    "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
    "hostName":"host1","status":"UP","overriddenStatus":"UNKNOWN","overriddenstatus":"UNKNOWN",
    "leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,"registrationTimestamp":0,
      "lastRenewalTimestamp":0,"evictionTimestamp":0,"serviceUpTimestamp":0},
    "isCoordinatingDiscoveryServer":false,"metadata":{"management.port":"8080"},
    "lastUpdatedTimestamp":1718000000100,"lastDirtyTimestamp":1718000000099,"actionType":null,
    "asgName":null,"port":{"$":8080,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"}}})");
  EXPECT_EQ(info.instance_id, "host1:orders:8080");
  EXPECT_FALSE(info.app_group_name.has_value());
  EXPECT_FALSE(info.secure_health_check_url.has_value());
  EXPECT_FALSE(info.asg_name.has_value());
  EXPECT_EQ(info.metadata.at("management.port"), "8080");
  EXPECT_EQ(info.last_updated_timestamp, 1718000000100);
  EXPECT_EQ(info.last_dirty_timestamp, 1718000000099);
  EXPECT_FALSE(info.is_coordinating_discovery_server);
  EXPECT_EQ(info.port, (core::PortInfo{8080, true}));
}

// eureka-js-client's registration: @enabled as a JSON boolean, no instanceId.
TEST(EurekaJsonReader, EurekaJsClientBody) {
  const core::InstanceInfo info = MustRead(R"({"instance":{"hostName":"js-host","app":"jsapp",
    "ipAddr":"10.1.1.1","port":{"$":8080,"@enabled":true},"vipAddress":"jsservice",
    "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
    "status":"UP"}})");
  EXPECT_FALSE(info.instance_id.has_value());
  EXPECT_EQ(info.EffectiveId(), "js-host");
  EXPECT_EQ(info.app, "JSAPP");
  EXPECT_EQ(info.port, (core::PortInfo{8080, true}));
  EXPECT_EQ(info.secure_port, (core::PortInfo{7002, false}));
  EXPECT_EQ(info.vip_address, "jsservice");
  EXPECT_EQ(info.last_dirty_timestamp, kNow);
}

TEST(EurekaJsonReader, RejectsMalformedBodies) {
  const char* const kBad[] = {
      "",
      "{",
      "not json",
      "[]",
      R"({"instance":{"app":"A"})",      // truncated
      R"({"application":{"app":"A"}})",  // wrong root
      R"({"instance":null})",
      R"({"instance":[]})",
      R"({"instance":{"hostName":"h"}})",  // no app
      R"({"instance":{"app":null}})",
      R"({"instance":{"app":"A","dataCenterInfo":{}}})",  // no @class, no name
      R"({"instance":{"app":"A","dataCenterInfo":"MyOwn"}})",
      R"({"instance":{"app":"A","countryId":"x1"}})",
      R"({"instance":{"app":"A","countryId":99999999999}})",
      R"({"instance":{"app":"A","port":{"$":"80a"}}})",
      R"({"instance":{"app":"A","port":{"$":1.5}}})",
      R"({"instance":{"app":"A","port":{"@enabled":7}}})",
      R"({"instance":{"app":"A","lastDirtyTimestamp":"soon"}})",
      R"({"instance":{"app":"A","lastDirtyTimestamp":18446744073709551615}})",
      R"({"instance":{"app":"A","metadata":{"k":{"nested":1}}}})",
      R"({"instance":{"app":"A","metadata":[]}})",
      R"({"instance":{"app":"A","hostName":{}}})",
      R"({"instance":{"app":"A","leaseInfo":30}})",
      "{\"instance\":{\"app\":\"\xFF\"}}",  // invalid UTF-8
  };
  for (const char* body : kBad) {
    absl::StatusOr<core::InstanceInfo> info = ReadInstanceJson(body, kNow);
    EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(EurekaJsonReader, ReplicationBatch) {
  // eureka-protocol.md E14's example, plus an item whose instanceInfo is bad.
  absl::StatusOr<std::vector<ReplicationItem>> items = ReadReplicationBatchJson(R"({
    "replicationList": [
      {"appName": "ORDERS", "id": "10.1.2.3:orders:8080", "lastDirtyTimestamp": 1718000000123,
       "status": "UP", "action": "Heartbeat"},
      {"appName": "ORDERS", "id": "10.1.2.4:orders:8080", "lastDirtyTimestamp": 1718000000456,
       "overriddenStatus": "OUT_OF_SERVICE", "status": "OUT_OF_SERVICE", "action": "Heartbeat"},
      {"appName": "BILLING", "id": "b-1", "lastDirtyTimestamp": 1718000000789, "status": "UP",
       "action": "Register", "instanceInfo": {"instanceId": "b-1", "hostName": "b-host",
       "app": "billing", "ipAddr": "10.9.9.9",
       "dataCenterInfo": {"@class": "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo", "name": "MyOwn"}}},
      {"appName": "BILLING", "id": "b-2", "action": "Cancel"},
      {"appName": "BILLING", "id": "b-3", "action": "Register", "instanceInfo": {"hostName": "x"}},
      {"appName": "ORDERS", "id": "o-9", "lastDirtyTimestamp": 1718000002000, "status": "UP",
       "action": "DeleteStatusOverride", "instanceInfo": null, "unknown": [1]}
    ]})",
                                                                                kNow);
  ASSERT_TRUE(items.ok()) << items.status();
  ASSERT_EQ(items->size(), 6u);
  const std::vector<ReplicationItem>& list = *items;
  EXPECT_EQ(list[0].action, "Heartbeat");
  EXPECT_EQ(list[0].app_name, "ORDERS");
  EXPECT_EQ(list[0].id, "10.1.2.3:orders:8080");
  EXPECT_EQ(list[0].last_dirty_timestamp, 1718000000123);
  EXPECT_EQ(list[0].status, "UP");
  EXPECT_FALSE(list[0].overridden_status.has_value());
  EXPECT_FALSE(list[0].instance_info.has_value());
  EXPECT_EQ(list[1].overridden_status, "OUT_OF_SERVICE");
  ASSERT_TRUE(list[2].instance_info.has_value());
  ASSERT_TRUE(list[2].instance_info->ok()) << list[2].instance_info->status();
  EXPECT_EQ((*list[2].instance_info)->app, "BILLING");
  EXPECT_EQ((*list[2].instance_info)->last_updated_timestamp, kNow);
  EXPECT_EQ(list[3].action, "Cancel");
  EXPECT_FALSE(list[3].last_dirty_timestamp.has_value());
  EXPECT_FALSE(list[3].status.has_value());
  // A bad instanceInfo is that item's error, not the batch's.
  ASSERT_TRUE(list[4].instance_info.has_value());
  EXPECT_EQ(list[4].instance_info->status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(list[5].action, "DeleteStatusOverride");
  EXPECT_FALSE(list[5].instance_info.has_value());
}

TEST(EurekaJsonReader, ReplicationBatchEdges) {
  absl::StatusOr<std::vector<ReplicationItem>> empty = ReadReplicationBatchJson("{}", kNow);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  absl::StatusOr<std::vector<ReplicationItem>> wrong_type = ReadReplicationBatchJson(
      R"({"replicationList":[{"action":"Register","instanceInfo":7}]})", kNow);
  ASSERT_TRUE(wrong_type.ok());
  EXPECT_FALSE((*wrong_type)[0].instance_info->ok());
  for (const char* bad : {"", "[", R"({"replicationList":{}})", R"({"replicationList":[1]})",
                          R"({"replicationList":[{"lastDirtyTimestamp":"x"}]})"}) {
    EXPECT_EQ(ReadReplicationBatchJson(bad, kNow).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace logbook::net::eureka
