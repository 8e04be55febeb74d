// The compact flavour (X-Eureka-Accept: compact, eureka-protocol.md §1.2,
// §3.5) against the real binary, on both mounts: the mini codec's fields in
// its order, lastUpdatedTimestamp a number, versions__delta and
// apps__hashcode after the applications, the XML without line breaks; full,
// per-app, VIP and delta; cached per version like the full flavour.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

const Headers kCompactJson = {{"Accept", "application/json"}, {"X-Eureka-Accept", "compact"}};
const Headers kCompactXml = {{"Accept", "application/xml"}, {"X-Eureka-Accept", "compact"}};

// What the mini codec keeps of R(...) (no secureVipAddress nor asgName there).
const std::vector<std::string> kCompactInstanceKeys = {
    "instanceId", "app",    "ipAddr",     "vipAddress", "dataCenterInfo", "hostName",
    "status",     "lastUpdatedTimestamp", "actionType", "port",           "securePort"};

class CompactFlavour : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(CompactFlavour);

TEST_P(CompactFlavour, JsonDocumentsKeepOnlyTheMiniCodecFields) {
  for (const std::string path : {"/apps", "/vips/orders-vip", "/apps/delta"}) {
    const HttpResult result = http().Get(B() + path, kCompactJson);
    ASSERT_EQ(result.status, 200) << path;
    EXPECT_EQ(result.Header("Content-Type"), "application/json");
    const Json doc(result.body);
    ASSERT_TRUE(doc.ok()) << result.body;
    EXPECT_EQ(doc.KeysAt("/applications"),
              (std::vector<std::string>{"application", "versions__delta", "apps__hashcode"}))
        << path;
    EXPECT_EQ(doc.TypeAt("/applications/versions__delta"), "string");
    const std::string o1 = InstancePointer(doc, "ORDERS", "o1");
    ASSERT_FALSE(o1.empty()) << path << ": " << result.body;
    EXPECT_EQ(doc.KeysAt(o1), kCompactInstanceKeys) << path;
    EXPECT_EQ(doc.TypeAt(o1 + "/lastUpdatedTimestamp"), "number");
    EXPECT_EQ(doc.IntAt(o1 + "/port/$"), 8080);
    EXPECT_EQ(doc.StringAt(o1 + "/port/@enabled"), "true");
    EXPECT_EQ(doc.StringAt(o1 + "/actionType"), "ADDED");
  }
  const HttpResult app = http().Get(B() + "/apps/ORDERS", kCompactJson);
  ASSERT_EQ(app.status, 200);
  const Json doc(app.body);
  EXPECT_EQ(doc.StringAt("/application/name"), "ORDERS");
  EXPECT_EQ(doc.KeysAt("/application/instance/0"), kCompactInstanceKeys);
}

TEST_P(CompactFlavour, XmlDocumentsHaveNoLayoutAndTheVersionsLast) {
  const HttpResult result = http().Get(B() + "/apps", kCompactXml);
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/xml");
  const std::string& body = result.body;
  EXPECT_EQ(body.find('\n'), std::string::npos) << body;
  EXPECT_EQ(body.rfind("<applications><application><name>ORDERS</name><instance>"
                       "<instanceId>o1</instanceId><app>ORDERS</app><ipAddr>10.0.0.1</ipAddr>"
                       "<vipAddress>orders-vip</vipAddress><dataCenterInfo",
                       0),
            0u)
      << body;
  EXPECT_NE(body.find("<hostName>h1</hostName><status>UP</status><lastUpdatedTimestamp>"),
            std::string::npos);
  EXPECT_NE(body.find("<actionType>ADDED</actionType><port enabled=\"true\">8080</port>"
                      "<securePort enabled=\"false\">443</securePort></instance></application>"
                      "<versions__delta>1</versions__delta>"
                      "<apps__hashcode>UP_1_</apps__hashcode></applications>"),
            std::string::npos)
      << body;
  for (const char* dropped : {"<leaseInfo>", "<metadata", "<overriddenstatus>", "<countryId>",
                              "<lastDirtyTimestamp>", "<isCoordinatingDiscoveryServer>"}) {
    EXPECT_EQ(body.find(dropped), std::string::npos) << dropped;
  }
  const HttpResult app = http().Get(B() + "/apps/ORDERS", kCompactXml);
  ASSERT_EQ(app.status, 200);
  EXPECT_EQ(app.body.rfind("<application><name>ORDERS</name><instance><instanceId>o1", 0), 0u)
      << app.body;
}

TEST_P(CompactFlavour, TheHeaderIsCaseInsensitiveAndAnythingElseIsFull) {
  const Json compact(
      http().Get(B() + "/apps", {{"Accept", "application/json"}, {"x-eureka-accept", "COMPACT"}})
          .body);
  const std::string o1 = InstancePointer(compact, "ORDERS", "o1");
  ASSERT_FALSE(o1.empty());
  EXPECT_FALSE(compact.Has(o1 + "/leaseInfo"));
  for (const char* value : {"full", "compacted", ""}) {
    const Json full(
        http().Get(B() + "/apps", {{"Accept", "application/json"}, {"X-Eureka-Accept", value}})
            .body);
    EXPECT_EQ(full.KeysAt("/applications").front(), "versions__delta") << value;
    EXPECT_TRUE(full.Has(InstancePointer(full, "ORDERS", "o1") + "/leaseInfo")) << value;
  }
}

TEST_P(CompactFlavour, GzipCarriesThePlainBytes) {
  for (const Headers& flavour : {kCompactJson, kCompactXml}) {
    Headers gzip = flavour;
    gzip.emplace_back("Accept-Encoding", "gzip");
    const HttpResult plain = http().Get(B() + "/apps", flavour);
    const HttpResult compressed = http().Get(B() + "/apps", gzip);
    ASSERT_EQ(compressed.status, 200);
    EXPECT_EQ(compressed.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(logbook::testing::Gunzip(compressed.body), plain.body);
  }
}

TEST_P(CompactFlavour, RenewalKeepsTheBytesAndStatusChangeShows) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o2", "h2", "10.0.0.2")).status, 204);
  const auto snapshot = [&] {
    std::vector<std::string> bodies;
    for (const std::string path : {"/apps", "/apps/ORDERS", "/vips/orders-vip"}) {
      for (const Headers& flavour : {kCompactJson, kCompactXml}) {
        const HttpResult result = http().Get(B() + path, flavour);
        EXPECT_EQ(result.status, 200) << path;
        bodies.push_back(result.body);
      }
    }
    return bodies;
  };
  const std::vector<std::string> before = snapshot();
  ASSERT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000").status, 200);
  EXPECT_EQ(snapshot(), before);
  ASSERT_EQ(Put("/apps/ORDERS/o2/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000").status,
            200);
  const std::vector<std::string> after = snapshot();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_NE(after[i], before[i]) << "document " << i;
  const Json apps(http().Get(B() + "/apps", kCompactJson).body);
  EXPECT_EQ(apps.StringAt(InstancePointer(apps, "ORDERS", "o2") + "/status"), "OUT_OF_SERVICE");
  // The full flavour is cached apart and still full.
  const Json full(http().Get(B() + "/apps", kAcceptJson).body);
  EXPECT_TRUE(full.Has(InstancePointer(full, "ORDERS", "o2") + "/leaseInfo"));
}

}  // namespace
}  // namespace logbook::e2e
