// Reads and wire format against the real binary, on both mounts:
// eureka-protocol.md §11 items 15–29 and the reconcile hash, items 30–32.
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class FullRegistry : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(FullRegistry);

// Item 15.
TEST_P(FullRegistry, JsonHasApplicationsRootWithStringVersionAndHash) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json apps(result.body);
  ASSERT_TRUE(apps.ok()) << result.body;
  EXPECT_EQ(apps.KeysAt(""), std::vector<std::string>{"applications"});
  EXPECT_EQ(apps.StringAt("/applications/versions__delta"), "1");
  EXPECT_EQ(apps.StringAt("/applications/apps__hashcode"), "UP_1_");
  ASSERT_EQ(apps.TypeAt("/applications/application"), "array");
  ASSERT_EQ(apps.SizeAt("/applications/application"), 1u);
  EXPECT_EQ(apps.StringAt("/applications/application/0/name"), "ORDERS");
  // An array even for a single instance.
  ASSERT_EQ(apps.TypeAt("/applications/application/0/instance"), "array");
  EXPECT_EQ(apps.SizeAt("/applications/application/0/instance"), 1u);
  EXPECT_EQ(apps.StringAt("/applications/application/0/instance/0/instanceId"), "o1");
}

// Item 16.
TEST_P(FullRegistry, JsonInstanceFieldsHaveEurekaTypes) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  const std::string o1 = InstancePointer(apps, "ORDERS", "o1");
  ASSERT_FALSE(o1.empty()) << result.body;
  EXPECT_EQ(apps.StringAt(o1 + "/hostName"), "h1");
  EXPECT_EQ(apps.StringAt(o1 + "/app"), "ORDERS");
  EXPECT_EQ(apps.StringAt(o1 + "/ipAddr"), "10.0.0.1");
  EXPECT_EQ(apps.StringAt(o1 + "/status"), "UP");
  EXPECT_EQ(apps.IntAt(o1 + "/port/$"), 8080);
  EXPECT_EQ(apps.StringAt(o1 + "/port/@enabled"), "true");
  EXPECT_EQ(apps.IntAt(o1 + "/securePort/$"), 443);
  EXPECT_EQ(apps.StringAt(o1 + "/securePort/@enabled"), "false");
  EXPECT_EQ(apps.TypeAt(o1 + "/countryId"), "number");
  EXPECT_EQ(apps.IntAt(o1 + "/countryId"), 1);
  EXPECT_EQ(apps.StringAt(o1 + "/overriddenStatus"), "UNKNOWN");
  EXPECT_EQ(apps.StringAt(o1 + "/isCoordinatingDiscoveryServer"), "false");
  EXPECT_EQ(apps.StringAt(o1 + "/lastDirtyTimestamp"), "1000");
  EXPECT_EQ(apps.TypeAt(o1 + "/lastUpdatedTimestamp"), "string");
  EXPECT_EQ(apps.StringAt(o1 + "/actionType"), "ADDED");
  EXPECT_EQ(apps.StringAt(o1 + "/dataCenterInfo/@class"),
            "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo");
  EXPECT_EQ(apps.StringAt(o1 + "/dataCenterInfo/name"), "MyOwn");
  EXPECT_EQ(apps.StringAt(o1 + "/vipAddress"), "orders-vip");
}

// Item 17.
TEST_P(FullRegistry, LeaseInfoFieldsAreNumbers) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  const std::string lease = InstancePointer(apps, "ORDERS", "o1") + "/leaseInfo";
  EXPECT_EQ(apps.IntAt(lease + "/renewalIntervalInSecs"), 30);
  EXPECT_EQ(apps.IntAt(lease + "/durationInSecs"), 90);
  EXPECT_GT(apps.IntAt(lease + "/registrationTimestamp").value_or(0), 0);
  EXPECT_EQ(apps.TypeAt(lease + "/lastRenewalTimestamp"), "number");
  EXPECT_EQ(apps.IntAt(lease + "/evictionTimestamp"), 0);
  EXPECT_GT(apps.IntAt(lease + "/serviceUpTimestamp").value_or(0), 0);
}

// Item 18.
TEST_P(FullRegistry, EmptyMetadataIsWrittenAsEmptyMapClass) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  const std::string metadata = InstancePointer(apps, "ORDERS", "o1") + "/metadata";
  EXPECT_EQ(apps.KeysAt(metadata), std::vector<std::string>{"@class"});
  EXPECT_EQ(apps.StringAt(metadata + "/@class"), "java.util.Collections$EmptyMap");
}

// Item 19.
TEST_P(FullRegistry, NoAcceptHeaderAnswersXml) {
  const HttpResult result = http().Get(B() + "/apps");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/xml");
  const std::string& xml = result.body;
  EXPECT_NE(xml.find("<applications>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<versions__delta>1</versions__delta>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<apps__hashcode>UP_1_</apps__hashcode>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<overriddenstatus>UNKNOWN</overriddenstatus>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<port enabled=\"true\">8080</port>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<instanceId>o1</instanceId>"), std::string::npos) << xml;
}

// Item 20.
TEST_P(FullRegistry, TrailingSlashAnswersTheSameDocument) {
  const HttpResult plain = GetJson("/apps");
  const HttpResult slash = GetJson("/apps/");
  ASSERT_EQ(plain.status, 200);
  ASSERT_EQ(slash.status, 200);
  EXPECT_EQ(slash.body, plain.body);
}

// Item 21.
TEST_P(FullRegistry, GzipWhenAcceptEncodingAsksForIt) {
  const HttpResult plain = GetJson("/apps");
  const HttpResult gzipped =
      http().Get(B() + "/apps", {{"Accept", "application/json"}, {"Accept-Encoding", "gzip"}});
  ASSERT_EQ(gzipped.status, 200);
  EXPECT_EQ(gzipped.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(gzipped.Header("Content-Type"), "application/json");
  EXPECT_EQ(logbook::testing::Gunzip(gzipped.body), plain.body);
}

// Part A: no forced gzip on either mount.
TEST_P(FullRegistry, PlainWithoutAcceptEncoding) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Encoding"), "");
  EXPECT_TRUE(Json(result.body).ok()) << result.body;
}

// Part A: gzip is only for clients that ask, XML included.
TEST_P(FullRegistry, AcceptEncodingWithoutGzipIsPlain) {
  const HttpResult result = http().Get(B() + "/apps", {{"Accept-Encoding", "identity"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Encoding"), "");
  EXPECT_NE(result.body.find("<applications>"), std::string::npos) << result.body;
}

// Item 29.
TEST_P(FullRegistry, HtmlOnlyAcceptIsNotAcceptable) {
  EXPECT_EQ(http().Get(B() + "/apps", {{"Accept", "text/html"}}).status, 406);
}

// §1.2: cached reads pick JSON by a substring test on Accept, else XML.
TEST_P(FullRegistry, AcceptHeaderSubstringRuleChoosesTheFormat) {
  struct Case {
    std::string accept;
    std::string content_type;
  };
  for (const Case& c : {Case{"*/*", "application/xml"}, Case{"application/xml", "application/xml"},
                        Case{"application/json", "application/json"},
                        Case{"application/xml, application/json", "application/json"},
                        Case{"application/json;q=0.1, application/xml", "application/json"}}) {
    const HttpResult result = http().Get(B() + "/apps", {{"Accept", c.accept}});
    EXPECT_EQ(result.status, 200) << c.accept;
    EXPECT_EQ(result.Header("Content-Type"), c.content_type) << c.accept;
  }
}

// E7: without remote regions the regions parameter changes nothing.
TEST_P(FullRegistry, RegionsParameterIsIgnored) {
  const HttpResult plain = GetJson("/apps");
  const HttpResult regions = GetJson("/apps?regions=us-east-1,eu-west-1");
  ASSERT_EQ(regions.status, 200);
  EXPECT_EQ(regions.body, plain.body);
}

// E15: informational, but answered.
TEST_P(FullRegistry, ServerStatusIsOk) { EXPECT_EQ(GetJson("/status").status, 200); }

class AppRead : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(AppRead);

// Item 22.
TEST_P(AppRead, KnownAppIsOneApplicationDocument) {
  const HttpResult result = GetJson("/apps/ORDERS");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json app(result.body);
  EXPECT_EQ(app.KeysAt(""), std::vector<std::string>{"application"});
  EXPECT_EQ(app.StringAt("/application/name"), "ORDERS");
  ASSERT_EQ(app.TypeAt("/application/instance"), "array");
  EXPECT_EQ(app.StringAt("/application/instance/0/instanceId"), "o1");
}

// §1.1: the APP segment is upper-cased before lookup.
TEST_P(AppRead, LowerCaseAppPathFindsTheApp) {
  const HttpResult result = GetJson("/apps/orders");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Json(result.body).StringAt("/application/name"), "ORDERS");
}

// Item 23.
TEST_P(AppRead, UnknownAppIsNotFound) { EXPECT_EQ(GetJson("/apps/NOPE").status, 404); }

class InstanceRead : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(InstanceRead);

// Item 24, first half.
TEST_P(InstanceRead, KnownInstanceUnderItsApp) {
  const HttpResult result = GetJson("/apps/ORDERS/o1");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json instance(result.body);
  EXPECT_EQ(instance.KeysAt(""), std::vector<std::string>{"instance"});
  EXPECT_EQ(instance.StringAt("/instance/instanceId"), "o1");
  EXPECT_EQ(instance.StringAt("/instance/app"), "ORDERS");
}

// Item 24, second half.
TEST_P(InstanceRead, UnknownInstanceUnderAppIsNotFound) {
  EXPECT_EQ(GetJson("/apps/ORDERS/zz").status, 404);
}

// §1.1: instance ids are case-sensitive.
TEST_P(InstanceRead, InstanceIdIsCaseSensitive) {
  EXPECT_EQ(GetJson("/apps/ORDERS/O1").status, 404);
}

// §1.2: entity endpoints answer XML when no Accept is given.
TEST_P(InstanceRead, NoAcceptHeaderAnswersXml) {
  const HttpResult result = http().Get(B() + "/apps/ORDERS/o1");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/xml");
  EXPECT_NE(result.body.find("<instanceId>o1</instanceId>"), std::string::npos) << result.body;
}

// §1.2: entity endpoints negotiate like JAX-RS: the client's ranges by
// quality and specificity, XML first for a wildcard.
TEST_P(InstanceRead, EntityNegotiationFollowsJaxRs) {
  struct Case {
    std::string accept;
    std::string content_type;
  };
  for (const Case& c :
       {Case{"*/*", "application/xml"}, Case{"application/json", "application/json"},
        Case{"application/xml", "application/xml"},
        Case{"application/json, application/xml", "application/json"},
        Case{"application/xml;q=0.5, application/json", "application/json"},
        Case{"application/*", "application/xml"}}) {
    const HttpResult result = http().Get(B() + "/apps/ORDERS/o1", {{"Accept", c.accept}});
    EXPECT_EQ(result.status, 200) << c.accept;
    EXPECT_EQ(result.Header("Content-Type"), c.content_type) << c.accept;
  }
}

// §1.2: an unsatisfiable Accept on an entity endpoint.
TEST_P(InstanceRead, HtmlOnlyAcceptIsNotAcceptable) {
  EXPECT_EQ(http().Get(B() + "/apps/ORDERS/o1", {{"Accept", "text/html"}}).status, 406);
}

// Item 25, first half.
TEST_P(InstanceRead, InstancesByIdFindsIt) {
  const HttpResult by_id = GetJson("/instances/o1");
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(Json(by_id.body).StringAt("/instance/instanceId"), "o1");
  EXPECT_EQ(by_id.body, GetJson("/apps/ORDERS/o1").body);
}

// Item 25, second half.
TEST_P(InstanceRead, InstancesByUnknownIdIsNotFound) {
  EXPECT_EQ(GetJson("/instances/zz").status, 404);
}

// Spring's usual ids look like host:app:port; percent-encoded or not, the
// path names the same instance.
TEST_P(InstanceRead, ColonSeparatedIdWorksForEveryOperation) {
  const std::string id = "10.0.0.1:orders:8080";
  ASSERT_EQ(RegisterInstance(R("ORDERS", id, "10.0.0.1", "10.0.0.1")).status, 204);
  EXPECT_EQ(Json(GetJson("/apps/ORDERS/" + id).body).StringAt("/instance/instanceId"), id);
  EXPECT_EQ(GetJson("/apps/ORDERS/10.0.0.1%3Aorders%3A8080").status, 200);
  EXPECT_EQ(GetJson("/instances/" + id).status, 200);
  EXPECT_EQ(Put("/apps/ORDERS/" + id + "?status=UP&lastDirtyTimestamp=1000").status, 200);
  EXPECT_EQ(Put("/apps/ORDERS/" + id + "/status?value=OUT_OF_SERVICE").status, 200);
  EXPECT_EQ(Json(StatusOverrides()).StringAt("/" + id), "OUT_OF_SERVICE");
  EXPECT_EQ(Delete("/apps/ORDERS/" + id).status, 200);
  EXPECT_EQ(GetJson("/apps/ORDERS/" + id).status, 404);
}

class VipRead : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(VipRead);

// Item 26, first half.
TEST_P(VipRead, VipListsItsInstances) {
  const HttpResult result = GetJson("/vips/orders-vip");
  ASSERT_EQ(result.status, 200);
  const Json vip(result.body);
  EXPECT_FALSE(InstancePointer(vip, "ORDERS", "o1").empty()) << result.body;
  EXPECT_EQ(vip.StringAt("/applications/apps__hashcode"), "UP_1_");
  EXPECT_EQ(vip.StringAt("/applications/versions__delta"), "-1");
}

// Item 26, second half.
TEST_P(VipRead, VipMatchIsCaseSensitive) {
  const HttpResult result = GetJson("/vips/ORDERS-VIP");
  ASSERT_EQ(result.status, 200);
  const Json vip(result.body);
  EXPECT_EQ(vip.TypeAt("/applications/application"), "array");
  EXPECT_EQ(vip.SizeAt("/applications/application"), 0u);
  EXPECT_EQ(vip.StringAt("/applications/apps__hashcode"), "");
}

// Item 27.
TEST_P(VipRead, UnknownVipIsOkAndEmpty) {
  const HttpResult result = GetJson("/vips/unknown");
  ASSERT_EQ(result.status, 200);
  const Json vip(result.body);
  EXPECT_EQ(vip.SizeAt("/applications/application"), 0u);
  EXPECT_EQ(vip.StringAt("/applications/versions__delta"), "-1");
  EXPECT_EQ(vip.StringAt("/applications/apps__hashcode"), "");
}

// Item 28.
TEST_P(VipRead, MultiVipInstanceIsListedUnderEachVip) {
  Registration registration = R("ORDERS", "m1", "hm", "10.0.0.5");
  registration.vip_address = "a,orders-vip";
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  for (const std::string vip_name : {"orders-vip", "a"}) {
    const HttpResult result = GetJson("/vips/" + vip_name);
    ASSERT_EQ(result.status, 200);
    EXPECT_FALSE(InstancePointer(Json(result.body), "ORDERS", "m1").empty())
        << vip_name << ": " << result.body;
  }
  // o1 has only orders-vip.
  EXPECT_TRUE(InstancePointer(Json(GetJson("/vips/a").body), "ORDERS", "o1").empty());
}

// E13: the secure VIP index, also exact-match.
TEST_P(VipRead, SecureVipWithoutMatchesIsOkAndEmpty) {
  const HttpResult result = GetJson("/svips/orders-vip");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Json(result.body).SizeAt("/applications/application"), 0u) << result.body;
}

// Part A: reads reflect every acknowledged write (no 30 s read-only cache),
// VIP documents included (§5.1's multi-VIP staleness is not reproduced).
class FreshReads : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(FreshReads);

TEST_P(FreshReads, FullRegistryShowsARegistrationAtOnce) {
  ASSERT_EQ(CountInstance(Json(GetJson("/apps").body), "o2"), 0);
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o2", "h2", "10.0.0.2")).status, 204);
  const Json apps(GetJson("/apps").body);
  EXPECT_EQ(CountInstance(apps, "o2"), 1);
  EXPECT_EQ(apps.StringAt("/applications/apps__hashcode"), "UP_2_");
}

TEST_P(FreshReads, AppAndGzipShowAStatusChangeAtOnce) {
  ASSERT_EQ(GetJson("/apps/ORDERS").status, 200);
  const Headers gzip = {{"Accept", "application/json"}, {"Accept-Encoding", "gzip"}};
  ASSERT_EQ(http().Get(B() + "/apps", gzip).status, 200);
  ASSERT_EQ(Put("/apps/ORDERS/o1/status?value=OUT_OF_SERVICE").status, 200);
  EXPECT_EQ(Json(GetJson("/apps/ORDERS").body).StringAt("/application/instance/0/status"),
            "OUT_OF_SERVICE");
  const HttpResult zipped = http().Get(B() + "/apps", gzip);
  EXPECT_EQ(Json(logbook::testing::Gunzip(zipped.body)).StringAt("/applications/apps__hashcode"),
            "OUT_OF_SERVICE_1_");
}

TEST_P(FreshReads, AppIsGoneAtOnceAfterItsLastCancel) {
  ASSERT_EQ(GetJson("/apps/ORDERS").status, 200);
  ASSERT_EQ(Delete("/apps/ORDERS/o1").status, 200);
  EXPECT_EQ(GetJson("/apps/ORDERS").status, 404);
}

TEST_P(FreshReads, MultiVipRegistrationShowsUnderEveryVipAtOnce) {
  ASSERT_EQ(GetJson("/vips/orders-vip").status, 200);
  ASSERT_EQ(GetJson("/vips/a").status, 200);
  Registration registration = R("ORDERS", "m1", "hm", "10.0.0.5");
  registration.vip_address = "a,orders-vip";
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_FALSE(InstancePointer(Json(GetJson("/vips/orders-vip").body), "ORDERS", "m1").empty());
  EXPECT_FALSE(InstancePointer(Json(GetJson("/vips/a").body), "ORDERS", "m1").empty());
  ASSERT_EQ(Delete("/apps/ORDERS/m1").status, 200);
  EXPECT_TRUE(InstancePointer(Json(GetJson("/vips/orders-vip").body), "ORDERS", "m1").empty());
}

class Hashcode : public EurekaTest {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Hashcode);

// Item 30.
TEST_P(Hashcode, CountsStatusesInNameOrder) {
  for (const std::string id : {"o1", "o2", "o3"}) {
    ASSERT_EQ(RegisterInstance(R("ORDERS", id, "h-" + id, "10.0.0.1")).status, 204);
  }
  Registration down = R("BILLING", "b1", "hb", "10.0.0.2");
  down.status = "DOWN";
  ASSERT_EQ(RegisterInstance(down).status, 204);
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Json(result.body).StringAt("/applications/apps__hashcode"), "DOWN_1_UP_3_");
}

// Item 31.
TEST_P(Hashcode, EmptyRegistryIsEmptyDocument) {
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  EXPECT_EQ(apps.KeysAt(""), std::vector<std::string>{"applications"});
  EXPECT_EQ(apps.KeysAt("/applications"),
            (std::vector<std::string>{"versions__delta", "apps__hashcode", "application"}));
  EXPECT_EQ(apps.StringAt("/applications/versions__delta"), "1");
  EXPECT_EQ(apps.StringAt("/applications/apps__hashcode"), "");
  EXPECT_EQ(apps.TypeAt("/applications/application"), "array");
  EXPECT_EQ(apps.SizeAt("/applications/application"), 0u);
}

// Item 32.
TEST_P(Hashcode, OverriddenInstanceCountsUnderItsOverride) {
  for (const std::string id : {"o1", "o2", "o3"}) {
    ASSERT_EQ(RegisterInstance(R("ORDERS", id, "h-" + id, "10.0.0.1")).status, 204);
  }
  ASSERT_EQ(Put("/apps/ORDERS/o2/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000").status,
            200);
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Json(result.body).StringAt("/applications/apps__hashcode"),
            "OUT_OF_SERVICE_1_UP_2_");
}

}  // namespace
}  // namespace logbook::e2e
