// Golden output of the Eureka JSON writers (eureka-protocol.md §3.2, §3.3,
// §11 items 15-18, 26, 27, 31, 60, 61) and of the streaming JsonWriter.
#include <gtest/gtest.h>

#include "net/eureka/eureka_json.h"
#include "net/eureka/json_writer.h"
#include "tests/net/eureka_samples.h"

namespace logbook::net::eureka {
namespace {

using testing::EverythingRecord;
using testing::HostARecord;
using testing::RegistrationBody;

constexpr std::string_view kHostAJson =
    R"json({"instanceId":"host-a:orders:8080","hostName":"host-a","app":"ORDERS","ipAddr":"10.0.0.5",)json"
    R"json("status":"UP","overriddenStatus":"UNKNOWN","port":{"$":8080,"@enabled":"true"},)json"
    R"json("securePort":{"$":443,"@enabled":"false"},"countryId":1,)json"
    R"json("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},)json"
    R"json("leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,"registrationTimestamp":1718000000000,)json"
    R"json("lastRenewalTimestamp":1718000120000,"evictionTimestamp":0,"serviceUpTimestamp":1718000000000},)json"
    R"json("metadata":{"zone":"z1"},"homePageUrl":"http://host-a:8080/","vipAddress":"orders",)json"
    R"json("isCoordinatingDiscoveryServer":"false","lastUpdatedTimestamp":"1718000000001",)json"
    R"json("lastDirtyTimestamp":"1717999999000","actionType":"ADDED"})json";

constexpr std::string_view kEverythingJson =
    R"json({"instanceId":"i-0abc","hostName":"ip-10-0-0-7.ec2.internal","app":"BILLING","ipAddr":"10.0.0.7",)json"
    R"json("sid":"sid-7","status":"OUT_OF_SERVICE","overriddenStatus":"OUT_OF_SERVICE",)json"
    R"json("port":{"$":8080,"@enabled":"false"},"securePort":{"$":8443,"@enabled":"true"},"countryId":2,)json"
    R"json("dataCenterInfo":{"@class":"com.netflix.appinfo.AmazonInfo","name":"Amazon",)json"
    R"json("metadata":{"availability-zone":"us-east-1a","instance-id":"i-0abc"}},)json"
    R"json("leaseInfo":{"renewalIntervalInSecs":10,"durationInSecs":40,"registrationTimestamp":1718000000010,)json"
    R"json("lastRenewalTimestamp":1718000000020,"evictionTimestamp":1718000000030,"serviceUpTimestamp":1718000000040},)json"
    R"json("metadata":{"a_b$c":"x<y & \"z\"","management.port":"8081"},"appGroupName":"PAYMENTS",)json"
    R"json("homePageUrl":"http://h/","statusPageUrl":"http://h/info","healthCheckUrl":"http://h/health",)json"
    R"json("secureHealthCheckUrl":"https://h/health","vipAddress":"billing,payments",)json"
    R"json("secureVipAddress":"billing-secure","isCoordinatingDiscoveryServer":"true",)json"
    R"json("lastUpdatedTimestamp":"1718000000002","lastDirtyTimestamp":"1718000000003",)json"
    R"json("actionType":"MODIFIED","asgName":"billing-asg-v7"})json";

TEST(EurekaJsonWriter, InstanceMatchesTheLegacyCodec) {
  const core::InstanceRecord record = HostARecord();
  EXPECT_EQ(WriteInstanceJson({&record, core::ActionType::kAdded}),
            std::string(R"({"instance":)") + std::string(kHostAJson) + "}");
  EXPECT_EQ(WriteBareInstanceJson({&record, core::ActionType::kAdded}), kHostAJson);
}

TEST(EurekaJsonWriter, EveryOptionalFieldInDeclarationOrder) {
  const core::InstanceRecord record = EverythingRecord();
  EXPECT_EQ(WriteBareInstanceJson({&record, core::ActionType::kModified}), kEverythingJson);
}

TEST(EurekaJsonWriter, SidIsOmittedWhenNaOrUnknown) {
  core::InstanceRecord record = HostARecord();
  record.info.sid = "unknown";
  EXPECT_EQ(WriteBareInstanceJson({&record}).find("\"sid\""), std::string::npos);
  record.info.sid = "na";
  EXPECT_EQ(WriteBareInstanceJson({&record}).find("\"sid\""), std::string::npos);
}

TEST(EurekaJsonWriter, NonPositiveLeaseSettingsAreShownAsDefaults) {
  core::InstanceRecord record = HostARecord();
  record.info.renewal_interval_secs = 0;
  record.info.duration_secs = -5;
  EXPECT_NE(WriteBareInstanceJson({&record}).find(
                R"("leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,)"),
            std::string::npos);
}

TEST(EurekaJsonWriter, NoInstanceIdFieldWhenAbsent) {
  // §11 item 8: the id falls back to the host name, but no instanceId is shown.
  core::InstanceRecord record = HostARecord();
  record.info.instance_id.reset();
  EXPECT_EQ(WriteBareInstanceJson({&record}).rfind(R"({"hostName":"host-a",)", 0), 0u);
}

TEST(EurekaJsonWriter, EmptyMetadataIsJavasEmptyMap) {
  core::InstanceRecord record = HostARecord();
  record.info.metadata.clear();
  EXPECT_NE(WriteBareInstanceJson({&record}).find(
                R"("metadata":{"@class":"java.util.Collections$EmptyMap"},)"),
            std::string::npos);
}

// §11 items 15-18: the registry after registering R(ORDERS,o1,h1,10.0.0.1).
TEST(EurekaJsonWriter, ConformanceItems15To18) {
  absl::StatusOr<core::InstanceInfo> info =
      ReadInstanceJson(RegistrationBody("ORDERS", "o1", "h1", "10.0.0.1"), 5000);
  ASSERT_TRUE(info.ok()) << info.status();
  core::InstanceRecord record;
  record.info = *info;
  record.lease.registration_timestamp = 5000;
  record.lease.last_renewal_timestamp = 5000;
  record.lease.service_up_timestamp = 5000;
  ApplicationsDocument document;
  document.apps_hashcode = "UP_1_";
  document.applications.push_back({"ORDERS", {{&record, core::ActionType::kAdded}}});
  EXPECT_EQ(
      WriteApplicationsJson(document),
      R"json({"applications":{"versions__delta":"1","apps__hashcode":"UP_1_","application":[)json"
      R"json({"name":"ORDERS","instance":[{"instanceId":"o1","hostName":"h1","app":"ORDERS","ipAddr":"10.0.0.1",)json"
      R"json("status":"UP","overriddenStatus":"UNKNOWN","port":{"$":8080,"@enabled":"true"},)json"
      R"json("securePort":{"$":443,"@enabled":"false"},"countryId":1,)json"
      R"json("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},)json"
      R"json("leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,"registrationTimestamp":5000,)json"
      R"json("lastRenewalTimestamp":5000,"evictionTimestamp":0,"serviceUpTimestamp":5000},)json"
      R"json("metadata":{"@class":"java.util.Collections$EmptyMap"},"vipAddress":"orders-vip",)json"
      R"json("isCoordinatingDiscoveryServer":"false","lastUpdatedTimestamp":"5000",)json"
      R"json("lastDirtyTimestamp":"1000","actionType":"ADDED"}]}]}})json");
}

// Inside applications / application documents an instance shows its last
// change (lastUpdatedTimestamp) as lastRenewalTimestamp (README, "lastRenewalTimestamp
// in cached documents"), so that renewals leave the cached documents as they are.
std::string InDocument(std::string_view instance_json) {
  std::string json(instance_json);
  const std::string live = R"("lastRenewalTimestamp":1718000120000)";
  json.replace(json.find(live), live.size(), R"("lastRenewalTimestamp":1718000000001)");
  return json;
}

TEST(EurekaJsonWriter, ApplicationAndInstanceAreAlwaysArrays) {
  const core::InstanceRecord a = HostARecord();
  core::InstanceRecord b = HostARecord();
  b.info.instance_id = "host-b";
  ApplicationsDocument document;
  document.versions_delta = "7";
  document.apps_hashcode = "UP_2_";
  document.applications.push_back({"ORDERS", {{&a}, {&b, core::ActionType::kDeleted}}});
  document.applications.push_back({"EMPTY", {}});
  const std::string json = WriteApplicationsJson(document);
  std::string b_json = InDocument(kHostAJson);
  b_json.replace(b_json.find("host-a:orders:8080"), 18, "host-b");
  b_json.replace(b_json.find("\"ADDED\""), 7, "\"DELETED\"");
  EXPECT_EQ(json,
            R"({"applications":{"versions__delta":"7","apps__hashcode":"UP_2_","application":[)"
            R"({"name":"ORDERS","instance":[)" +
                InDocument(kHostAJson) + "," + b_json + R"(]},{"name":"EMPTY","instance":[]}]}})");
}

TEST(EurekaJsonWriter, SingleApplication) {
  const core::InstanceRecord record = HostARecord();
  EXPECT_EQ(WriteApplicationJson({"ORDERS", {{&record}}}),
            R"({"application":{"name":"ORDERS","instance":[)" + InDocument(kHostAJson) + "]}}");
}

// §11 item 31: the empty registry.
TEST(EurekaJsonWriter, EmptyRegistry) {
  EXPECT_EQ(WriteApplicationsJson(ApplicationsDocument{}),
            R"({"applications":{"versions__delta":"1","apps__hashcode":"","application":[]}})");
}

// §11 items 26 and 27: a VIP nobody has is an empty document with delta "-1".
TEST(EurekaJsonWriter, UnknownVip) {
  ApplicationsDocument document;
  document.versions_delta = "-1";
  EXPECT_EQ(WriteApplicationsJson(document),
            R"({"applications":{"versions__delta":"-1","apps__hashcode":"","application":[]}})");
}

// §11 items 60 and 61.
TEST(EurekaJsonWriter, ReplicationResponse) {
  const core::InstanceRecord record = HostARecord();
  std::vector<ReplicationResult> results = {
      {200, std::nullopt},
      {409, InstanceView{&record, core::ActionType::kAdded}},
      {404, std::nullopt},
  };
  EXPECT_EQ(WriteReplicationResponseJson(results),
            R"({"responseList":[{"statusCode":200},{"statusCode":409,"responseEntity":)" +
                std::string(kHostAJson) + R"(},{"statusCode":404}]})");
  EXPECT_EQ(WriteReplicationResponseJson({}), R"({"responseList":[]})");
}

TEST(EurekaJsonWriter, InstanceObjectWithoutAction) {
  const core::InstanceRecord record = HostARecord();
  std::string out;
  JsonWriter writer(&out);
  WriteInstanceObject(record.info, record.lease, std::nullopt, writer);
  EXPECT_EQ(out.find("actionType"), std::string::npos);
  EXPECT_NE(out.find(R"("lastDirtyTimestamp":"1717999999000"})"), std::string::npos);
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonEscaped(&out, std::string_view("a\"b\\c/\x01\x1f\b\f\n\r\t\x7f", 14));
  EXPECT_EQ(out, R"(a\"b\\c/\u0001\u001f\b\f\n\r\t)"
                 "\x7f");
}

TEST(JsonWriter, PassesValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonEscaped(&out, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(out, "caf\xC3\xA9 \xF0\x9F\x98\x80");
  out.clear();
  AppendJsonEscaped(&out,
                    "a\xFF"
                    "b\xC3");  // stray byte, truncated sequence
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  out.clear();
  AppendJsonEscaped(&out, "\xED\xA0\x80");  // an encoded surrogate
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(JsonWriter, NestedValuesAndSeparators) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("a");
  writer.BeginArray();
  writer.Int(-1);
  writer.Uint(18446744073709551615ull);
  writer.Bool(true);
  writer.Null();
  writer.Double(1.5);
  writer.Double(std::numeric_limits<double>::quiet_NaN());
  writer.BeginObject();
  writer.EndObject();
  writer.BeginArray();
  writer.EndArray();
  writer.Raw(R"({"x":1})");
  writer.EndArray();
  writer.Key("k\"ey");
  writer.String("v");
  writer.EndObject();
  EXPECT_EQ(out, R"({"a":[-1,18446744073709551615,true,null,1.5,null,{},[],{"x":1}],"k\"ey":"v"})");
}

}  // namespace
}  // namespace logbook::net::eureka
