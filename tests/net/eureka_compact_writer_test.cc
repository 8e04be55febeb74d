// The compact flavour's encoders (eureka-protocol.md §3.5), byte for byte on
// an instance that sets every field the mini codec drops: only instanceId,
// app, ipAddr, vipAddress, secureVipAddress, dataCenterInfo (Amazon metadata
// reduced to five keys), hostName, status, lastUpdatedTimestamp (a number),
// actionType and asgName remain, in bean order, then the ports; the
// versions follow the applications; XML has no layout.
#include <gtest/gtest.h>

#include <string>

#include "net/eureka/documents.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "tests/core/core_test_util.h"

namespace logbook::net::eureka {
namespace {

core::InstanceRecord EveryFieldSet() {
  core::InstanceRecord record;
  core::InstanceInfo& info = record.info;
  info = core::testing::MakeInstance("ORDERS", "o1", core::InstanceStatus::kDown, 1000);
  info.last_updated_timestamp = 1718000000001;
  info.app_group_name = "GROUP";
  info.sid = "s-1";
  info.overridden_status = core::InstanceStatus::kOutOfService;
  info.country_id = 7;
  info.home_page_url = "http://h/";
  info.status_page_url = "http://h/status";
  info.health_check_url = "http://h/health";
  info.secure_health_check_url = "https://h/health";
  info.secure_vip_address = "orders-secure";
  info.asg_name = "orders-asg";
  info.metadata = {{"zone", "z1"}};
  info.data_center.name = "Amazon";
  info.data_center.metadata = {{"ami-id", "ami-1"},        {"availability-zone", "us-1a"},
                               {"instance-id", "i-1"},     {"instance-type", "m5"},
                               {"local-hostname", "ip-1"}, {"local-ipv4", "10.0.0.1"},
                               {"public-hostname", "ec2"}, {"public-ipv4", "1.2.3.4"}};
  record.lease.registration_timestamp = 1718000000000;
  record.lease.last_renewal_timestamp = 1718000000000;
  record.action_type = core::ActionType::kModified;
  return record;
}

ApplicationsDocument OneInstanceDocument(const core::InstanceRecord& record) {
  ApplicationsDocument document;
  document.versions_delta = "3";
  document.apps_hashcode = "DOWN_1_";
  document.applications.push_back(
      ApplicationView{"ORDERS", {InstanceView{&record, record.action_type}}});
  return document;
}

constexpr std::string_view kCompactInstanceJson =
    R"({"instanceId":"o1","app":"ORDERS","ipAddr":"10.0.0.1","vipAddress":"orders-vip",)"
    R"("secureVipAddress":"orders-secure","dataCenterInfo":{"@class":"com.netflix.appinfo.AmazonInfo",)"
    R"("name":"Amazon","metadata":{"availability-zone":"us-1a","instance-id":"i-1",)"
    R"("local-ipv4":"10.0.0.1","public-hostname":"ec2","public-ipv4":"1.2.3.4"}},)"
    R"("hostName":"host-o1","status":"DOWN","lastUpdatedTimestamp":1718000000001,)"
    R"("actionType":"MODIFIED","asgName":"orders-asg","port":{"$":8080,"@enabled":"true"},)"
    R"("securePort":{"$":443,"@enabled":"false"}})";

constexpr std::string_view kCompactInstanceXml =
    "<instance><instanceId>o1</instanceId><app>ORDERS</app><ipAddr>10.0.0.1</ipAddr>"
    "<vipAddress>orders-vip</vipAddress><secureVipAddress>orders-secure</secureVipAddress>"
    "<dataCenterInfo class=\"com.netflix.appinfo.AmazonInfo\"><name>Amazon</name><metadata>"
    "<availability-zone>us-1a</availability-zone><instance-id>i-1</instance-id>"
    "<local-ipv4>10.0.0.1</local-ipv4><public-hostname>ec2</public-hostname>"
    "<public-ipv4>1.2.3.4</public-ipv4></metadata></dataCenterInfo><hostName>host-o1</hostName>"
    "<status>DOWN</status><lastUpdatedTimestamp>1718000000001</lastUpdatedTimestamp>"
    "<actionType>MODIFIED</actionType><asgName>orders-asg</asgName>"
    "<port enabled=\"true\">8080</port><securePort enabled=\"false\">443</securePort></instance>";

TEST(CompactFlavourJson, KeepsTheMiniCodecFieldsInBeanOrder) {
  const core::InstanceRecord record = EveryFieldSet();
  EXPECT_EQ(WriteApplicationsJson(OneInstanceDocument(record), PayloadFlavour::kCompact),
            std::string(R"({"applications":{"application":[{"name":"ORDERS","instance":[)") +
                std::string(kCompactInstanceJson) +
                R"(]}],"versions__delta":"3","apps__hashcode":"DOWN_1_"}})");
  EXPECT_EQ(WriteApplicationJson(OneInstanceDocument(record).applications[0],
                                 PayloadFlavour::kCompact),
            std::string(R"({"application":{"name":"ORDERS","instance":[)") +
                std::string(kCompactInstanceJson) + "]}}");
}

TEST(CompactFlavourXml, KeepsTheMiniCodecFieldsWithoutLayout) {
  const core::InstanceRecord record = EveryFieldSet();
  EXPECT_EQ(WriteApplicationsXml(OneInstanceDocument(record), PayloadFlavour::kCompact),
            "<applications><application><name>ORDERS</name>" + std::string(kCompactInstanceXml) +
                "</application><versions__delta>3</versions__delta>"
                "<apps__hashcode>DOWN_1_</apps__hashcode></applications>");
  EXPECT_EQ(WriteApplicationXml(OneInstanceDocument(record).applications[0],
                                PayloadFlavour::kCompact),
            "<application><name>ORDERS</name>" + std::string(kCompactInstanceXml) +
                "</application>");
}

TEST(CompactFlavour, AnEmptyRegistryKeepsTheEnvelope) {
  ApplicationsDocument empty;
  empty.apps_hashcode = "";
  EXPECT_EQ(WriteApplicationsJson(empty, PayloadFlavour::kCompact),
            R"({"applications":{"application":[],"versions__delta":"1","apps__hashcode":""}})");
  EXPECT_EQ(WriteApplicationsXml(empty, PayloadFlavour::kCompact),
            "<applications><versions__delta>1</versions__delta><apps__hashcode></apps__hashcode>"
            "</applications>");
}

TEST(CompactFlavour, TheFullFlavourIsUnchangedByTheDefault) {
  const core::InstanceRecord record = EveryFieldSet();
  const ApplicationsDocument document = OneInstanceDocument(record);
  EXPECT_EQ(WriteApplicationsJson(document), WriteApplicationsJson(document, PayloadFlavour::kFull));
  EXPECT_NE(WriteApplicationsJson(document).find(R"("leaseInfo")"), std::string::npos);
  EXPECT_NE(WriteApplicationsXml(document).find("\n    <instance>"), std::string::npos);
}

}  // namespace
}  // namespace logbook::net::eureka
