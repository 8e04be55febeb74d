// E1 register against the real binary, on both mounts: eureka-protocol.md
// §11 items 1–14, plus Logbook's name validation (no control characters or
// invalid UTF-8 in registry keys).
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class Register : public EurekaTest {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Register);

// Item 1.
TEST_P(Register, ValidInstanceIsNoContentWithEmptyBody) {
  const HttpResult result = RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1"));
  EXPECT_EQ(result.status, 204);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 200);
}

// Item 2.
TEST_P(Register, LowerCasePathAppIsUpperCased) {
  EXPECT_EQ(RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1"), "orders").status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "app"), "ORDERS");
}

// Item 3.
TEST_P(Register, LowerCaseBodyAppIsStoredUpperCase) {
  EXPECT_EQ(RegisterInstance(R("orders", "o1", "h1", "10.0.0.1"), "ORDERS").status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "app"), "ORDERS");
}

// Item 4.
TEST_P(Register, BodyAppDifferentFromPathAppIsBadRequest) {
  const HttpResult result = RegisterInstance(R("BILLING", "o1", "h1", "10.0.0.1"), "ORDERS");
  EXPECT_EQ(result.status, 400);
  EXPECT_NE(result.body.find("Mismatched appName"), std::string::npos) << result.body;
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
  EXPECT_EQ(GetInstance("BILLING", "o1").status, 404);
}

// Item 5.
TEST_P(Register, MissingHostNameIsBadRequest) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.host_name.reset();
  const HttpResult result = RegisterInstance(registration);
  EXPECT_EQ(result.status, 400);
  EXPECT_NE(result.body.find("Missing hostname"), std::string::npos) << result.body;
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
}

// Item 6.
TEST_P(Register, MissingIpAddrIsBadRequest) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.ip_addr.reset();
  const HttpResult result = RegisterInstance(registration);
  EXPECT_EQ(result.status, 400);
  EXPECT_NE(result.body.find("Missing ip address"), std::string::npos) << result.body;
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
}

// Item 7.
TEST_P(Register, MissingDataCenterInfoIsBadRequest) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.data_center_info = false;
  EXPECT_EQ(RegisterInstance(registration).status, 400);
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
}

// Item 8.
TEST_P(Register, MissingInstanceIdFallsBackToHostName) {
  Registration registration = R("ORDERS", "unused", "h9", "10.0.0.9");
  registration.instance_id.reset();
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  const HttpResult result = GetInstance("ORDERS", "h9");
  ASSERT_EQ(result.status, 200) << result.body;
  const Json instance(result.body);
  EXPECT_EQ(instance.StringAt("/instance/hostName"), "h9");
  EXPECT_FALSE(instance.Has("/instance/instanceId")) << result.body;
}

// Item 9.
TEST_P(Register, MalformedJsonIsBadRequest) {
  const HttpResult result =
      Post("/apps/ORDERS", "application/json", R"({"instance":{"instanceId":"o1","hostName":)");
  EXPECT_EQ(result.status, 400);
  // E1 step 1: the JSON error body for an application/json request.
  EXPECT_NE(result.body.find("cannot parse request body"), std::string::npos) << result.body;
}

// E1 step 1: a request body sent as XML gets its parse error as XML.
TEST_P(Register, MalformedXmlIsBadRequestWithXmlError) {
  const HttpResult result =
      Post("/apps/ORDERS", "application/xml", "<instance><instanceId>o1</instanceId>");
  EXPECT_EQ(result.status, 400);
  EXPECT_EQ(result.Header("Content-Type"), "application/xml");
  // Layout between elements is free (the server pretty-prints like XStream).
  std::string compact;
  for (char c : result.body) {
    if (c != '\n' && c != ' ') compact.push_back(c);
  }
  EXPECT_EQ(compact, "<error><message>cannotparserequestbody</message></error>") << result.body;
}

// Item 10.
TEST_P(Register, TextPlainBodyIsUnsupportedMediaType) {
  const HttpResult result =
      Post("/apps/ORDERS", "text/plain", R("ORDERS", "o1", "h1", "10.0.0.1").Json());
  EXPECT_EQ(result.status, 415);
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
}

// Item 11.
TEST_P(Register, XmlBodyIsVisibleInJsonRead) {
  const std::string xml =
      "<instance>"
      "<instanceId>x1</instanceId>"
      "<hostName>xh</hostName>"
      "<app>ORDERS</app>"
      "<ipAddr>10.0.0.9</ipAddr>"
      "<status>UP</status>"
      "<overriddenstatus>UNKNOWN</overriddenstatus>"
      "<port enabled=\"true\">8080</port>"
      "<securePort enabled=\"false\">443</securePort>"
      "<countryId>1</countryId>"
      "<dataCenterInfo class=\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\">"
      "<name>MyOwn</name></dataCenterInfo>"
      "<leaseInfo><renewalIntervalInSecs>30</renewalIntervalInSecs>"
      "<durationInSecs>90</durationInSecs></leaseInfo>"
      "<metadata class=\"java.util.Collections$EmptyMap\"/>"
      "<vipAddress>orders-vip</vipAddress>"
      "<lastDirtyTimestamp>1000</lastDirtyTimestamp>"
      "</instance>";
  ASSERT_EQ(Post("/apps/ORDERS", "application/xml", xml).status, 204);
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  const std::string x1 = InstancePointer(apps, "ORDERS", "x1");
  ASSERT_FALSE(x1.empty()) << result.body;
  EXPECT_EQ(apps.StringAt(x1 + "/hostName"), "xh");
  EXPECT_EQ(apps.StringAt(x1 + "/ipAddr"), "10.0.0.9");
  EXPECT_EQ(apps.IntAt(x1 + "/port/$"), 8080);
  EXPECT_EQ(apps.StringAt(x1 + "/vipAddress"), "orders-vip");
  EXPECT_EQ(apps.StringAt(x1 + "/lastDirtyTimestamp"), "1000");
}

// Item 12: what Spring's RestClient transport sends.
TEST_P(Register, SpringStyleTypedBodyIsAccepted) {
  const std::string body = R"({"instance":{
      "instanceId":"s1","hostName":"sh","app":"ORDERS","appGroupName":null,"ipAddr":"10.0.0.2",
      "sid":"na","status":"UP","overriddenstatus":"UNKNOWN",
      "port":{"$":8080,"@enabled":true},"securePort":{"$":443,"@enabled":false},"countryId":1,
      "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",
                        "name":"MyOwn"},
      "leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90,"registrationTimestamp":0,
                   "lastRenewalTimestamp":0,"evictionTimestamp":0,"serviceUpTimestamp":0},
      "metadata":{"management.port":"8081"},
      "homePageUrl":"http://sh:8080/","vipAddress":"orders-vip","secureVipAddress":null,
      "isCoordinatingDiscoveryServer":false,"lastUpdatedTimestamp":1718000000000,
      "lastDirtyTimestamp":1718000000000,"actionType":"ADDED","asgName":null}})";
  ASSERT_EQ(Post("/apps/ORDERS", "application/json", body).status, 204);
  const HttpResult result = GetInstance("ORDERS", "s1");
  ASSERT_EQ(result.status, 200);
  const Json instance(result.body);
  EXPECT_EQ(instance.StringAt("/instance/lastDirtyTimestamp"), "1718000000000");
  EXPECT_EQ(instance.StringAt("/instance/isCoordinatingDiscoveryServer"), "false");
  EXPECT_EQ(instance.StringAt("/instance/port/@enabled"), "true");
  EXPECT_EQ(instance.StringAt("/instance/securePort/@enabled"), "false");
  EXPECT_EQ(instance.StringAt("/instance/overriddenStatus"), "UNKNOWN");
  EXPECT_EQ(instance.StringAt("/instance/metadata/management.port"), "8081");
  EXPECT_FALSE(instance.Has("/instance/appGroupName"));
  EXPECT_FALSE(instance.Has("/instance/asgName"));
}

// Item 13.
TEST_P(Register, LowerCaseStatusIsStoredAsUnknown) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.status = "up";
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "UNKNOWN");
}

// Item 14.
TEST_P(Register, MissingStatusMeansUp) {
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.status.reset();
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "UP");
}

// §1.2: a UTF-8 charset parameter is tolerated.
TEST_P(Register, JsonWithUtf8CharsetIsAccepted) {
  const HttpResult result = Post("/apps/ORDERS", "application/json;charset=UTF-8",
                                 R("ORDERS", "o1", "h1", "10.0.0.1").Json());
  EXPECT_EQ(result.status, 204) << result.body;
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 200);
}

// §1.2: other charsets are not.
TEST_P(Register, JsonWithOtherCharsetIsUnsupportedMediaType) {
  const HttpResult result = Post("/apps/ORDERS", "application/json; charset=UTF-16",
                                 R("ORDERS", "o1", "h1", "10.0.0.1").Json());
  EXPECT_EQ(result.status, 415) << result.body;
}

// §1.3: the Netflix client may gzip its registration body.
TEST_P(Register, GzippedBodyIsInflated) {
  const HttpResult result = http().Request(
      "POST", B() + "/apps/ORDERS",
      {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}},
      Gzip(R("ORDERS", "o1", "h1", "10.0.0.1").Json()));
  EXPECT_EQ(result.status, 204) << result.body;
  EXPECT_EQ(InstanceString("ORDERS", "o1", "hostName"), "h1");
}

// §4.2 step 2 (quirk 18): an older lastDirtyTimestamp keeps the stored copy.
TEST_P(Register, OlderDirtyTimestampKeepsTheStoredCopy) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1")).status, 204);
  Registration older = R("ORDERS", "o1", "h2", "10.0.0.2");
  older.last_dirty_timestamp = "500";
  EXPECT_EQ(RegisterInstance(older).status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "hostName"), "h1");
  EXPECT_EQ(InstanceString("ORDERS", "o1", "lastDirtyTimestamp"), "1000");
}

// §4.2 step 2: on a tie the incoming copy wins.
TEST_P(Register, EqualDirtyTimestampTakesTheNewCopy) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1")).status, 204);
  EXPECT_EQ(RegisterInstance(R("ORDERS", "o1", "h2", "10.0.0.2")).status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "hostName"), "h2");
}

// E1: Spring's fix-up takes metadata.instanceId, prefixed with the host name.
TEST_P(Register, SpringMetadataInstanceIdIsPrefixedWithHostName) {
  Registration registration = R("ORDERS", "unused", "h7", "10.0.0.7");
  registration.instance_id.reset();
  registration.metadata = {{"instanceId", "orders:8080"}};
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_EQ(InstanceString("ORDERS", "h7:orders:8080", "instanceId"), "h7:orders:8080");
}

// Logbook's own rule: registry keys never hold control characters.
TEST_P(Register, InstanceIdWithControlCharacterIsRejectedAndNotLogged) {
  const std::int64_t before = LastOffset();
  ASSERT_GE(before, 0);
  const HttpResult result = RegisterInstance(R("ORDERS", std::string("bad\x01id"), "h1", "10.0.0.1"));
  EXPECT_EQ(result.status, 400) << result.body;
  EXPECT_EQ(LastOffset(), before);
  const HttpResult events = Events(before + 1);
  ASSERT_EQ(events.status, 200) << events.body;
  EXPECT_EQ(Json(events.body).SizeAt("/events"), 0u) << events.body;
}

// ... nor invalid UTF-8.
TEST_P(Register, InstanceIdWithInvalidUtf8IsRejectedAndNotLogged) {
  const std::int64_t before = LastOffset();
  ASSERT_GE(before, 0);
  const HttpResult result = RegisterInstance(R("ORDERS", std::string("bad\xff\xfeid"), "h1", "10.0.0.1"));
  EXPECT_EQ(result.status, 400) << result.body;
  EXPECT_EQ(LastOffset(), before);
  const HttpResult events = Events(before + 1);
  ASSERT_EQ(events.status, 200) << events.body;
  EXPECT_EQ(Json(events.body).SizeAt("/events"), 0u) << events.body;
}

}  // namespace
}  // namespace logbook::e2e
