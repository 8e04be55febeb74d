// E1 step 2 validation and fix-ups (eureka-protocol.md E1, §11 items 1-8).
#include <gtest/gtest.h>

#include "net/eureka/eureka_json.h"
#include "net/eureka/registration_validation.h"

namespace logbook::net::eureka {
namespace {

core::InstanceInfo Valid() {
  core::InstanceInfo info;
  info.instance_id = "o1";
  info.host_name = "h1";
  info.app = "ORDERS";
  info.ip_addr = "10.0.0.1";
  info.vip_address = "orders-vip";
  return info;
}

struct ValidationCase {
  const char* name;
  void (*mutate)(core::InstanceInfo&);
  const char* path_app;
  std::optional<std::string> expected;
};

const ValidationCase kCases[] = {
    {"Valid", [](core::InstanceInfo&) {}, "ORDERS", std::nullopt},
    {"LowerCasePathApp", [](core::InstanceInfo&) {}, "orders", std::nullopt},  // §11 item 2
    {"NoIdNoHost",
     [](core::InstanceInfo& i) {
       i.instance_id.reset();
       i.host_name.clear();
     },
     "ORDERS", "Missing instanceId"},
    {"EmptyIdNoHost",
     [](core::InstanceInfo& i) {
       i.instance_id = "";
       i.host_name.clear();
     },
     "ORDERS", "Missing instanceId"},
    {"IdFallsBackToHost", [](core::InstanceInfo& i) { i.instance_id.reset(); }, "ORDERS",
     std::nullopt},  // §11 item 8
    {"NoHost", [](core::InstanceInfo& i) { i.host_name.clear(); }, "ORDERS",
     "Missing hostname"},  // §11 item 5
    {"NoIp", [](core::InstanceInfo& i) { i.ip_addr.clear(); }, "ORDERS",
     "Missing ip address"},  // §11 item 6
    {"NoApp", [](core::InstanceInfo& i) { i.app.clear(); }, "ORDERS", "Missing appName"},
    {"OtherApp", [](core::InstanceInfo& i) { i.app = "BILLING"; }, "orders",
     "Mismatched appName, expecting ORDERS but was BILLING"},  // §11 item 4
    {"NoDataCenter", [](core::InstanceInfo& i) { i.has_data_center = false; }, "ORDERS",
     "Missing dataCenterInfo"},  // §11 item 7
    {"NoDataCenterName", [](core::InstanceInfo& i) { i.data_center.name.clear(); }, "ORDERS",
     "Missing dataCenterInfo Name"},
    {"ControlCharacterInId", [](core::InstanceInfo& i) { i.instance_id = "o\n1"; }, "ORDERS",
     "Invalid instanceId: contains control characters or invalid UTF-8"},
    {"InvalidUtf8Host",
     [](core::InstanceInfo& i) {
       i.instance_id.reset();
       i.host_name = "h\xC0\x80";
     },
     "ORDERS", "Invalid instanceId: contains control characters or invalid UTF-8"},
    {"ControlCharacterInApp", [](core::InstanceInfo& i) { i.app = "ORD\x7F"; }, "ord\x7F",
     "Invalid appName: contains control characters or invalid UTF-8"},
    {"BadVip", [](core::InstanceInfo& i) { i.vip_address = "vip\t"; }, "ORDERS",
     "Invalid vipAddress: contains control characters or invalid UTF-8"},
    {"BadSecureVip", [](core::InstanceInfo& i) { i.secure_vip_address = "\xC2\x85"; }, "ORDERS",
     "Invalid secureVipAddress: contains control characters or invalid UTF-8"},
    {"EmptyVipIsNoVip", [](core::InstanceInfo& i) { i.vip_address = ""; }, "ORDERS", std::nullopt},
    {"UnicodeNamesAreFine",
     [](core::InstanceInfo& i) {
       i.instance_id = "caf\xC3\xA9";
       i.vip_address = "\xE2\x9C\x93";
     },
     "ORDERS", std::nullopt},
    // Eureka's order: the first failure wins.
    {"FirstFailureWins",
     [](core::InstanceInfo& i) {
       i.ip_addr.clear();
       i.app = std::string("X");  // (a literal trips GCC 12 -Wrestrict at -O2)
       i.has_data_center = false;
     },
     "ORDERS", "Missing ip address"},
};

TEST(RegistrationValidation, Table) {
  for (const ValidationCase& c : kCases) {
    core::InstanceInfo info = Valid();
    c.mutate(info);
    EXPECT_EQ(ValidateRegistration(info, c.path_app), c.expected) << c.name;
  }
}

TEST(RegistrationValidation, AmazonBlankInstanceIdGetsTheEffectiveId) {
  core::InstanceInfo info = Valid();
  info.data_center.name = "Amazon";
  info.data_center.class_name = std::string(core::kAmazonDataCenterClass);
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.data_center.metadata.at("instance-id"), "o1");

  info.instance_id.reset();
  info.data_center.metadata["instance-id"] = "";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.data_center.metadata.at("instance-id"), "h1");
}

TEST(RegistrationValidation, AmazonInstanceIdIsTheKeyWhenNoInstanceId) {
  core::InstanceInfo info = Valid();
  info.instance_id.reset();
  info.data_center.name = "Amazon";
  info.data_center.metadata["instance-id"] = "i-42";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.EffectiveId(), "i-42");
  EXPECT_EQ(info.data_center.metadata.at("instance-id"), "i-42");
}

TEST(RegistrationValidation, NonAmazonDataCenterIsNotTouched) {
  core::InstanceInfo info = Valid();
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_TRUE(info.data_center.metadata.empty());
}

TEST(RegistrationValidation, SpringMetadataInstanceIdIsPrefixedWithHost) {
  core::InstanceInfo info = Valid();
  info.instance_id.reset();
  info.metadata["instanceId"] = "orders:8080";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.instance_id, "h1:orders:8080");
}

TEST(RegistrationValidation, SpringMetadataInstanceIdStartingWithHostIsKept) {
  core::InstanceInfo info = Valid();
  info.instance_id.reset();
  info.metadata["instanceId"] = "h1:orders:8080";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.instance_id, "h1:orders:8080");
}

TEST(RegistrationValidation, SpringFixUpNeverOverridesAnInstanceId) {
  core::InstanceInfo info = Valid();
  info.metadata["instanceId"] = "other";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), std::nullopt);
  EXPECT_EQ(info.instance_id, "o1");
}

TEST(RegistrationValidation, SpringFixUpRescuesABodyWithoutIdOrHost) {
  // The fix-up runs before validation, so metadata.instanceId alone is an id.
  core::InstanceInfo info = Valid();
  info.instance_id.reset();
  info.host_name.clear();
  info.metadata["instanceId"] = "m1";
  EXPECT_EQ(ValidateRegistration(info, "ORDERS"), "Missing hostname");
  EXPECT_EQ(info.instance_id, "m1");  // every id "starts with" an empty host
}

// §11 item 63: what a batch Register without hostName and instanceId meets.
TEST(RegistrationValidation, BatchRegisterWithoutHostOrId) {
  absl::StatusOr<core::InstanceInfo> info = ReadInstanceJson(
      R"({"instance":{"app":"ORDERS","ipAddr":"1.2.3.4","dataCenterInfo":{"name":"MyOwn"}}})", 1);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(ValidateRegistration(*info, "ORDERS"), "Missing instanceId");
}

}  // namespace
}  // namespace logbook::net::eureka
