// Cached documents against the real binary, on both mounts: a renewal leaves
// the full, per-app and VIP documents byte for byte as they were (README,
// "lastRenewalTimestamp in cached documents") while a status change shows at
// once, in every encoding.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class CachedDocuments : public WithO1Test {
 protected:
  struct Encoding {
    std::string accept;
    std::string accept_encoding;
  };

  // Every cached document in every encoding, as the wire carries it.
  std::vector<std::string> Snapshot() {
    std::vector<std::string> bodies;
    for (const std::string path : {"/apps", "/apps/ORDERS", "/vips/orders-vip"}) {
      for (const Encoding& encoding :
           {Encoding{"application/json", "identity"}, Encoding{"application/json", "gzip"},
            Encoding{"application/xml", "identity"}, Encoding{"application/xml", "gzip"}}) {
        const HttpResult result = http().Get(
            B() + path,
            {{"Accept", encoding.accept}, {"Accept-Encoding", encoding.accept_encoding}});
        EXPECT_EQ(result.status, 200) << path;
        bodies.push_back(result.body);
      }
    }
    return bodies;
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(CachedDocuments);

TEST_P(CachedDocuments, RenewalKeepsTheBytesAndStatusChangeShows) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o2", "h2", "10.0.0.2")).status, 204);
  const std::vector<std::string> before = Snapshot();
  // Let the clock move, so a renewal would show if the documents were rebuilt.
  const std::int64_t start = NowMs();
  ASSERT_TRUE(Await([&] { return NowMs() > start + 5; }, std::chrono::seconds(2)));
  ASSERT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000").status, 200);
  ASSERT_EQ(Put("/apps/ORDERS/o2?status=UP&lastDirtyTimestamp=1000").status, 200);
  EXPECT_EQ(Snapshot(), before);
  // The entity endpoint shows the live lease.
  const HttpResult o1 = GetInstance("ORDERS", "o1");
  ASSERT_EQ(o1.status, 200);
  EXPECT_GT(Json(o1.body).IntAt("/instance/leaseInfo/lastRenewalTimestamp").value_or(0), start);

  ASSERT_EQ(Put("/apps/ORDERS/o2/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000").status, 200);
  const std::vector<std::string> after = Snapshot();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_NE(after[i], before[i]) << "document " << i;
  const Json apps(http().Get(B() + "/apps", kAcceptJson).body);
  EXPECT_EQ(apps.StringAt("/applications/apps__hashcode"), "OUT_OF_SERVICE_1_UP_1_");
  const std::string o2 = InstancePointer(apps, "ORDERS", "o2");
  ASSERT_FALSE(o2.empty());
  EXPECT_EQ(apps.StringAt(o2 + "/status"), "OUT_OF_SERVICE");
  // The changed instance was re-encoded with the renewal before it.
  EXPECT_GT(apps.IntAt(o2 + "/leaseInfo/lastRenewalTimestamp").value_or(0), start);
}

// The gzip bodies are made of separately compressed parts (one per
// application, reused while it does not change): over a run of changes in
// several applications, each one decompresses to exactly the plain body
// served for the same version, for the full, per-app and VIP documents, in
// JSON and XML, full and compact.
TEST_P(CachedDocuments, GzipOfPartsIsThePlainDocumentAcrossChanges) {
  constexpr int kApps = 8;
  constexpr int kPerApp = 6;  // a few KiB per application: parts outlive the dictionary
  for (int app = 0; app < kApps; ++app) {
    for (int i = 0; i < kPerApp; ++i) {
      const std::string id = "p" + std::to_string(app) + "-" + std::to_string(i);
      Registration registration = R("APP" + std::to_string(app), id, "h-" + id, "10.0.1.1");
      registration.vip_address = "parts-vip";
      ASSERT_EQ(RegisterInstance(registration).status, 204);
    }
  }
  for (int step = 0; step < 12; ++step) {
    const int app = (step * 5) % kApps;
    const std::string id = "p" + std::to_string(app) + "-" + std::to_string(step % kPerApp);
    const std::string value = step % 2 == 0 ? "OUT_OF_SERVICE" : "UP";
    ASSERT_EQ(Put("/apps/APP" + std::to_string(app) + "/" + id + "/status?value=" + value).status,
              200);
    for (const std::string& path : {std::string("/apps"), "/apps/APP" + std::to_string(app),
                                   std::string("/vips/parts-vip")}) {
      for (const std::string accept : {"application/json", "application/xml"}) {
        for (const std::string flavour : {"full", "compact"}) {
          const std::string what = path + " " + accept + " " + flavour + " step " +
                                   std::to_string(step);
          const HttpResult plain = http().Get(
              B() + path,
              {{"Accept", accept}, {"Accept-Encoding", "identity"}, {"X-Eureka-Accept", flavour}});
          const HttpResult zipped = http().Get(
              B() + path,
              {{"Accept", accept}, {"Accept-Encoding", "gzip"}, {"X-Eureka-Accept", flavour}});
          ASSERT_EQ(plain.status, 200) << what;
          ASSERT_EQ(zipped.status, 200) << what;
          EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip") << what;
          ASSERT_EQ(logbook::testing::Gunzip(zipped.body), plain.body) << what;
          EXPECT_NE(plain.body.find(id), std::string::npos) << what;
        }
      }
    }
  }
}

}  // namespace
}  // namespace logbook::e2e
