// E4/E5 status overrides, E16 and E6 metadata against the real binary, on
// both mounts: eureka-protocol.md §11 items 41–51.
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

constexpr char kOutOfService[] = "/apps/ORDERS/o1/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000";

class StatusOverride : public WithO1Test {
 protected:
  // The override map as both E16 paths serve it (Netflix's has no version).
  void ExpectOverride(const std::optional<std::string>& expected) {
    for (const std::string path :
         {"/eureka/serverinfo/statusoverrides", "/eureka/v2/serverinfo/statusoverrides"}) {
      const HttpResult result = http().Get(path);
      ASSERT_EQ(result.status, 200) << path;
      EXPECT_EQ(result.Header("Content-Type"), "application/json") << path;
      const Json overrides(result.body);
      ASSERT_TRUE(overrides.ok()) << path << ": " << result.body;
      EXPECT_EQ(overrides.StringAt("/o1"), expected) << path << ": " << result.body;
    }
  }
  std::optional<std::string> Status() { return InstanceString("ORDERS", "o1", "status"); }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(StatusOverride);

// Item 41.
TEST_P(StatusOverride, SetsStatusOverriddenStatusAndOverrideMap) {
  const HttpResult result = Put(kOutOfService);
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "");
  const HttpResult instance = GetInstance("ORDERS", "o1");
  ASSERT_EQ(instance.status, 200);
  const Json o1(instance.body);
  EXPECT_EQ(o1.StringAt("/instance/status"), "OUT_OF_SERVICE");
  EXPECT_EQ(o1.StringAt("/instance/overriddenStatus"), "OUT_OF_SERVICE");
  EXPECT_EQ(o1.StringAt("/instance/actionType"), "MODIFIED");
  ExpectOverride("OUT_OF_SERVICE");
}

// Item 42.
TEST_P(StatusOverride, SurvivesHeartbeats) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000").status, 200);
  EXPECT_EQ(Status(), "OUT_OF_SERVICE");
}

// Item 43.
TEST_P(StatusOverride, WinsOverReRegistrationAsUp) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.last_dirty_timestamp = "2000";
  EXPECT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_EQ(Status(), "OUT_OF_SERVICE");
}

// Item 44.
TEST_P(StatusOverride, LosesToReRegistrationAsDown) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.status = "DOWN";
  registration.last_dirty_timestamp = "2000";
  EXPECT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_EQ(Status(), "DOWN");
}

// Item 45.
TEST_P(StatusOverride, DeleteWithValueRestoresThatStatus) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  const HttpResult result = Delete("/apps/ORDERS/o1/status?value=UP&lastDirtyTimestamp=1000");
  EXPECT_EQ(result.status, 200);
  const HttpResult instance = GetInstance("ORDERS", "o1");
  ASSERT_EQ(instance.status, 200);
  const Json o1(instance.body);
  EXPECT_EQ(o1.StringAt("/instance/status"), "UP");
  EXPECT_EQ(o1.StringAt("/instance/overriddenStatus"), "UNKNOWN");
  ExpectOverride(std::nullopt);
}

// Item 46.
TEST_P(StatusOverride, DeleteWithoutValueLeavesUnknownUntilReRegistration) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  EXPECT_EQ(Delete("/apps/ORDERS/o1/status").status, 200);
  EXPECT_EQ(Status(), "UNKNOWN");
  EXPECT_EQ(Put("/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000").status, 404);
  EXPECT_EQ(RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1")).status, 204);
  EXPECT_EQ(Status(), "UP");
}

// E4 step 4: a newer lastDirtyTimestamp is adopted.
TEST_P(StatusOverride, AdoptsANewerDirtyTimestamp) {
  ASSERT_EQ(Put("/apps/ORDERS/o1/status?value=DOWN&lastDirtyTimestamp=5000").status, 200);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "lastDirtyTimestamp"), "5000");
}

// E5 step 3: without an override there is nothing to remove.
TEST_P(StatusOverride, DeleteWithoutAnOverrideChangesNothing) {
  EXPECT_EQ(Delete("/apps/ORDERS/o1/status?value=DOWN").status, 200);
  EXPECT_EQ(Status(), "UP");
  EXPECT_EQ(InstanceString("ORDERS", "o1", "actionType"), "ADDED");
}

// E3: a cancel always drops the instance's override.
TEST_P(StatusOverride, CancelRemovesTheOverride) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  ASSERT_EQ(Delete("/apps/ORDERS/o1").status, 200);
  ExpectOverride(std::nullopt);
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1")).status, 204);
  EXPECT_EQ(Status(), "UP");
}

// Item 47, first half.
TEST_P(StatusOverride, InvalidValueIsServerError) {
  EXPECT_EQ(Put("/apps/ORDERS/o1/status?value=BOGUS").status, 500);
  EXPECT_EQ(Status(), "UP");
}

// Item 47, second half.
TEST_P(StatusOverride, MissingValueIsServerError) {
  EXPECT_EQ(Put("/apps/ORDERS/o1/status").status, 500);
  EXPECT_EQ(Status(), "UP");
}

// §3.4: status names are exact upper case.
TEST_P(StatusOverride, LowerCaseValueIsServerError) {
  EXPECT_EQ(Put("/apps/ORDERS/o1/status?value=down").status, 500);
  EXPECT_EQ(Status(), "UP");
}

// Item 48, first half.
TEST_P(StatusOverride, UnknownInstanceIsNotFound) {
  EXPECT_EQ(Put("/apps/ORDERS/none/status?value=DOWN").status, 404);
}

// Item 48, second half.
TEST_P(StatusOverride, DeleteOnUnknownInstanceIsNotFound) {
  EXPECT_EQ(Delete("/apps/ORDERS/none/status").status, 404);
}

// Item 49.
TEST_P(StatusOverride, OverrideToCurrentStatusStoresNoOverride) {
  EXPECT_EQ(Put("/apps/ORDERS/o1/status?value=UP").status, 200);
  ExpectOverride(std::nullopt);
  EXPECT_EQ(Status(), "UP");
}

// E16 under the mount too (§2: serve it on both paths).
TEST_P(StatusOverride, OverrideMapIsServedUnderTheMount) {
  ASSERT_EQ(Put(kOutOfService).status, 200);
  const HttpResult result = http().Get(B() + "/serverinfo/statusoverrides");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Json(result.body).StringAt("/o1"), "OUT_OF_SERVICE") << result.body;
}

class Metadata : public EurekaTest {
 protected:
  void SetUp() override {
    EurekaTest::SetUp();
    if (HasFatalFailure()) return;
    Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
    registration.metadata = {{"zone", "z1"}, {"owner", "ops"}};
    ASSERT_EQ(RegisterInstance(registration).status, 204);
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Metadata);

// Item 50.
TEST_P(Metadata, UpdateMergesKeysAndReRegisters) {
  const HttpResult before = GetInstance("ORDERS", "o1");
  ASSERT_EQ(before.status, 200);
  const std::int64_t registered =
      Json(before.body).IntAt("/instance/leaseInfo/registrationTimestamp").value_or(0);
  ASSERT_GT(registered, 0);
  // Let the clock move, so a refreshed registration time is visible.
  ASSERT_TRUE(Await([&] { return NowMs() > registered + 1; }, std::chrono::seconds(2)));

  const HttpResult result = Put("/apps/ORDERS/o1/metadata?zone=z2&team=core");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "");

  const HttpResult after = GetInstance("ORDERS", "o1");
  ASSERT_EQ(after.status, 200);
  const Json o1(after.body);
  EXPECT_EQ(o1.StringAt("/instance/metadata/zone"), "z2");
  EXPECT_EQ(o1.StringAt("/instance/metadata/team"), "core");
  EXPECT_EQ(o1.StringAt("/instance/metadata/owner"), "ops");
  EXPECT_GT(o1.IntAt("/instance/leaseInfo/registrationTimestamp").value_or(0), registered);
  EXPECT_EQ(o1.StringAt("/instance/lastDirtyTimestamp"), "1000");
  EXPECT_EQ(o1.StringAt("/instance/actionType"), "ADDED");
}

// E6 step 2: no parameters is allowed.
TEST_P(Metadata, UpdateWithoutParametersKeepsTheMetadata) {
  EXPECT_EQ(Put("/apps/ORDERS/o1/metadata").status, 200);
  EXPECT_EQ(InstanceString("ORDERS", "o1", "metadata/zone"), "z1");
}

// Item 51.
TEST_P(Metadata, UnknownInstanceIsNotFound) {
  EXPECT_EQ(Put("/apps/ORDERS/none/metadata?a=b").status, 404);
}

}  // namespace
}  // namespace logbook::e2e
