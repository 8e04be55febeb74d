// E2 heartbeat against the real binary, on both mounts: eureka-protocol.md
// §11 items 33–40, read with Part A's lease fix (lastRenewalTimestamp is the
// real last renewal, not now + duration).
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class Heartbeat : public WithO1Test {
 protected:
  std::optional<std::int64_t> LeaseField(const std::string& field) {
    const HttpResult result = GetInstance("ORDERS", "o1");
    if (result.status != 200) return std::nullopt;
    return Json(result.body).IntAt("/instance/leaseInfo/" + field);
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Heartbeat);

// Item 33 (Part A: the renewal time is now, not now + 90 s).
TEST_P(Heartbeat, RenewsTheLeaseToNow) {
  const std::optional<std::int64_t> registered = LeaseField("registrationTimestamp");
  ASSERT_TRUE(registered.has_value());
  // Let the clock move past the registration, so a renewal is visible.
  ASSERT_TRUE(Await([&] { return NowMs() > *registered + 1; }, std::chrono::seconds(2)));
  const std::int64_t before = NowMs();
  const HttpResult result = Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000");
  const std::int64_t after = NowMs();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "");
  const std::optional<std::int64_t> renewed = LeaseField("lastRenewalTimestamp");
  ASSERT_TRUE(renewed.has_value());
  EXPECT_GE(*renewed, before);
  EXPECT_LE(*renewed, after);
  EXPECT_EQ(LeaseField("registrationTimestamp"), registered);
}

// Item 34.
TEST_P(Heartbeat, UnknownInstanceIsNotFound) {
  EXPECT_EQ(Put("/apps/ORDERS/unknown?status=UP&lastDirtyTimestamp=1").status, 404);
}

// E2 step 1: an unknown app too.
TEST_P(Heartbeat, UnknownAppIsNotFound) {
  EXPECT_EQ(Put("/apps/NOPE/o1?status=UP&lastDirtyTimestamp=1000").status, 404);
}

// Item 35.
TEST_P(Heartbeat, NewerDirtyTimestampIsNotFound) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=2000").status, 404);
}

// E2 step 4: a peer with newer data also hands over its override.
TEST_P(Heartbeat, NewerDirtyTimestampFromPeerStoresItsOverride) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=2000&overriddenstatus=OUT_OF_SERVICE",
                {{"x-netflix-discovery-replication", "true"}})
                .status,
            404);
  EXPECT_EQ(Json(StatusOverrides()).StringAt("/o1"), "OUT_OF_SERVICE");
}

// Item 36.
TEST_P(Heartbeat, OlderDirtyTimestampFromClientIsOk) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=500").status, 200);
}

// Item 37.
TEST_P(Heartbeat, OlderDirtyTimestampFromPeerIsConflictWithInstance) {
  const HttpResult result = Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=500",
                                {{"x-netflix-discovery-replication", "true"},
                                 {"Accept", "application/json"}});
  ASSERT_EQ(result.status, 409);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json body(result.body);
  ASSERT_TRUE(body.ok()) << result.body;
  EXPECT_EQ(body.StringAt("/instance/instanceId"), "o1");
  EXPECT_EQ(body.StringAt("/instance/lastDirtyTimestamp"), "1000");
}

// §1.4: only the exact value "true" marks a replication.
TEST_P(Heartbeat, ReplicationHeaderOtherThanTrueIsAClient) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=500",
                {{"x-netflix-discovery-replication", "TRUE"}, {"Accept", "application/json"}})
                .status,
            200);
}

// Item 38.
TEST_P(Heartbeat, NoQueryParametersIsOk) { EXPECT_EQ(Put("/apps/ORDERS/o1").status, 200); }

// Item 39.
TEST_P(Heartbeat, StatusParameterIsIgnored) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=DOWN&lastDirtyTimestamp=1000").status, 200);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "UP");
}

// Item 40.
TEST_P(Heartbeat, NonNumericDirtyTimestampIsServerError) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?lastDirtyTimestamp=abc").status, 500);
}

// E2: Spring's client sends a JSON content type and an empty body; it is not parsed.
TEST_P(Heartbeat, EmptyJsonBodyIsIgnored) {
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000", kJsonBody).status, 200);
}

}  // namespace
}  // namespace logbook::e2e
