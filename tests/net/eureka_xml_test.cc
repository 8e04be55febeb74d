// The Eureka XML writers and reader (eureka-protocol.md §3.6, §11 items 11, 19, 31).
#include "net/eureka/eureka_xml.h"

#include <gtest/gtest.h>

#include "net/eureka/eureka_json.h"
#include "tests/net/eureka_samples.h"

namespace logbook::net::eureka {
namespace {

using testing::EverythingRecord;
using testing::HostARecord;
using testing::RegistrationBody;

constexpr core::TimestampMs kNow = 1718000000555;

// §3.6's example, verbatim.
constexpr std::string_view kSpecApplicationsXml = R"xml(<applications>
  <versions__delta>1</versions__delta>
  <apps__hashcode>UP_1_</apps__hashcode>
  <application>
    <name>ORDERS</name>
    <instance>
      <instanceId>host-a:orders:8080</instanceId>
      <hostName>host-a</hostName>
      <app>ORDERS</app>
      <ipAddr>10.0.0.5</ipAddr>
      <status>UP</status>
      <overriddenstatus>UNKNOWN</overriddenstatus>
      <port enabled="true">8080</port>
      <securePort enabled="false">443</securePort>
      <countryId>1</countryId>
      <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo">
        <name>MyOwn</name>
      </dataCenterInfo>
      <leaseInfo>
        <renewalIntervalInSecs>30</renewalIntervalInSecs>
        <durationInSecs>90</durationInSecs>
        <registrationTimestamp>1718000000000</registrationTimestamp>
        <lastRenewalTimestamp>1718000120000</lastRenewalTimestamp>
        <evictionTimestamp>0</evictionTimestamp>
        <serviceUpTimestamp>1718000000000</serviceUpTimestamp>
      </leaseInfo>
      <metadata>
        <zone>z1</zone>
      </metadata>
      <homePageUrl>http://host-a:8080/</homePageUrl>
      <vipAddress>orders</vipAddress>
      <isCoordinatingDiscoveryServer>false</isCoordinatingDiscoveryServer>
      <lastUpdatedTimestamp>1718000000001</lastUpdatedTimestamp>
      <lastDirtyTimestamp>1717999999000</lastDirtyTimestamp>
      <actionType>ADDED</actionType>
    </instance>
  </application>
</applications>)xml";

constexpr std::string_view kEverythingXml = R"xml(<instance>
  <instanceId>i-0abc</instanceId>
  <hostName>ip-10-0-0-7.ec2.internal</hostName>
  <app>BILLING</app>
  <ipAddr>10.0.0.7</ipAddr>
  <sid>sid-7</sid>
  <status>OUT_OF_SERVICE</status>
  <overriddenstatus>OUT_OF_SERVICE</overriddenstatus>
  <port enabled="false">8080</port>
  <securePort enabled="true">8443</securePort>
  <countryId>2</countryId>
  <dataCenterInfo class="com.netflix.appinfo.AmazonInfo">
    <name>Amazon</name>
    <metadata>
      <availability-zone>us-east-1a</availability-zone>
      <instance-id>i-0abc</instance-id>
    </metadata>
  </dataCenterInfo>
  <leaseInfo>
    <renewalIntervalInSecs>10</renewalIntervalInSecs>
    <durationInSecs>40</durationInSecs>
    <registrationTimestamp>1718000000010</registrationTimestamp>
    <lastRenewalTimestamp>1718000000020</lastRenewalTimestamp>
    <evictionTimestamp>1718000000030</evictionTimestamp>
    <serviceUpTimestamp>1718000000040</serviceUpTimestamp>
  </leaseInfo>
  <metadata>
    <a__b_-c>x&lt;y &amp; &quot;z&quot;</a__b_-c>
    <management.port>8081</management.port>
  </metadata>
  <appGroupName>PAYMENTS</appGroupName>
  <homePageUrl>http://h/</homePageUrl>
  <statusPageUrl>http://h/info</statusPageUrl>
  <healthCheckUrl>http://h/health</healthCheckUrl>
  <secureHealthCheckUrl>https://h/health</secureHealthCheckUrl>
  <vipAddress>billing,payments</vipAddress>
  <secureVipAddress>billing-secure</secureVipAddress>
  <isCoordinatingDiscoveryServer>true</isCoordinatingDiscoveryServer>
  <lastUpdatedTimestamp>1718000000002</lastUpdatedTimestamp>
  <lastDirtyTimestamp>1718000000003</lastDirtyTimestamp>
  <actionType>MODIFIED</actionType>
  <asgName>billing-asg-v7</asgName>
</instance>)xml";

TEST(EurekaXmlWriter, ApplicationsMatchesTheSpecExample) {
  const core::InstanceRecord record = HostARecord();
  ApplicationsDocument document;
  document.apps_hashcode = "UP_1_";
  document.applications.push_back({"ORDERS", {{&record, core::ActionType::kAdded}}});
  // Except that a document shows the last change (lastUpdatedTimestamp) as
  // lastRenewalTimestamp (README, "lastRenewalTimestamp in cached documents").
  std::string expected(kSpecApplicationsXml);
  const std::string live = "<lastRenewalTimestamp>1718000120000<";
  expected.replace(expected.find(live), live.size(), "<lastRenewalTimestamp>1718000000001<");
  EXPECT_EQ(WriteApplicationsXml(document), expected);
}

TEST(EurekaXmlWriter, EveryOptionalFieldAmazonAndEscaping) {
  const core::InstanceRecord record = EverythingRecord();
  EXPECT_EQ(WriteInstanceXml({&record, core::ActionType::kModified}), kEverythingXml);
}

// §11 item 19 (and 18 in XML): R(ORDERS,o1,h1,10.0.0.1) registered, no metadata.
TEST(EurekaXmlWriter, ConformanceItem19) {
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
  document.applications.push_back({"ORDERS", {{&record}}});
  EXPECT_EQ(WriteApplicationsXml(document), R"xml(<applications>
  <versions__delta>1</versions__delta>
  <apps__hashcode>UP_1_</apps__hashcode>
  <application>
    <name>ORDERS</name>
    <instance>
      <instanceId>o1</instanceId>
      <hostName>h1</hostName>
      <app>ORDERS</app>
      <ipAddr>10.0.0.1</ipAddr>
      <status>UP</status>
      <overriddenstatus>UNKNOWN</overriddenstatus>
      <port enabled="true">8080</port>
      <securePort enabled="false">443</securePort>
      <countryId>1</countryId>
      <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo">
        <name>MyOwn</name>
      </dataCenterInfo>
      <leaseInfo>
        <renewalIntervalInSecs>30</renewalIntervalInSecs>
        <durationInSecs>90</durationInSecs>
        <registrationTimestamp>5000</registrationTimestamp>
        <lastRenewalTimestamp>5000</lastRenewalTimestamp>
        <evictionTimestamp>0</evictionTimestamp>
        <serviceUpTimestamp>5000</serviceUpTimestamp>
      </leaseInfo>
      <metadata class="java.util.Collections$EmptyMap"/>
      <vipAddress>orders-vip</vipAddress>
      <isCoordinatingDiscoveryServer>false</isCoordinatingDiscoveryServer>
      <lastUpdatedTimestamp>5000</lastUpdatedTimestamp>
      <lastDirtyTimestamp>1000</lastDirtyTimestamp>
      <actionType>ADDED</actionType>
    </instance>
  </application>
</applications>)xml");
}

// §11 item 31 in XML, and the VIP document of items 26/27.
TEST(EurekaXmlWriter, EmptyDocuments) {
  EXPECT_EQ(WriteApplicationsXml(ApplicationsDocument{}),
            "<applications>\n  <versions__delta>1</versions__delta>\n"
            "  <apps__hashcode></apps__hashcode>\n</applications>");
  ApplicationsDocument vip;
  vip.versions_delta = "-1";
  EXPECT_EQ(WriteApplicationsXml(vip),
            "<applications>\n  <versions__delta>-1</versions__delta>\n"
            "  <apps__hashcode></apps__hashcode>\n</applications>");
}

TEST(EurekaXmlWriter, RepeatedApplicationAndInstanceElements) {
  const core::InstanceRecord a = HostARecord();
  core::InstanceRecord b = HostARecord();
  b.info.instance_id = "host-b";
  const std::string xml = WriteApplicationXml({"ORDERS", {{&a}, {&b}}});
  EXPECT_EQ(xml.rfind("<application>\n  <name>ORDERS</name>\n  <instance>\n    <instanceId>", 0),
            0u);
  EXPECT_NE(xml.find("</instance>\n  <instance>\n    <instanceId>host-b</instanceId>"),
            std::string::npos);
  constexpr std::string_view kEnd = "  </instance>\n</application>";
  EXPECT_EQ(std::string_view(xml).substr(xml.size() - kEnd.size()), kEnd);
}

TEST(EurekaXmlWriter, EmptyAmazonMetadataHasNoClass) {
  core::InstanceRecord record = HostARecord();
  record.info.data_center.name = "Amazon";
  const std::string xml = WriteInstanceXml({&record});
  EXPECT_NE(xml.find("<dataCenterInfo class=\"com.netflix.appinfo.AmazonInfo\">\n"
                     "    <name>Amazon</name>\n    <metadata/>\n  </dataCenterInfo>"),
            std::string::npos);
}

TEST(EurekaXmlWriter, TextEscaping) {
  core::InstanceRecord record = HostARecord();
  record.info.home_page_url = std::string("a&b<c>d\"e'f\rg\th\ni\x01j\x7fk\xFF", 22);
  const std::string xml = WriteInstanceXml({&record});
  EXPECT_NE(xml.find("<homePageUrl>a&amp;b&lt;c&gt;d&quot;e&apos;f&#xd;g\th\ni\xEF\xBF\xBDj&#x7f;k"
                     "\xEF\xBF\xBD</homePageUrl>"),
            std::string::npos);
  // And it reads back (U+FFFD for the bytes XML cannot carry).
  absl::StatusOr<core::InstanceInfo> info = ReadInstanceXml(xml, kNow);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(*info->home_page_url, "a&b<c>d\"e'f\rg\th\ni\xEF\xBF\xBDj\x7fk\xEF\xBF\xBD");
}

TEST(EurekaXml, RoundTripGivesTheSameInstance) {
  for (const core::InstanceRecord& record : {HostARecord(), EverythingRecord()}) {
    absl::StatusOr<core::InstanceInfo> info = ReadInstanceXml(WriteInstanceXml({&record}), kNow);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(*info, record.info);
  }
}

TEST(EurekaXml, RoundTripOfAwkwardMetadataKeys) {
  core::InstanceRecord record = HostARecord();
  record.info.metadata = {{"_", "1"},
                          {"$", "2"},
                          {"1st", "3"},
                          {"-x", "4"},
                          {"a b:c", "5"},
                          {"caf\xC3\xA9", "6"},
                          {"\xF0\x9F\x98\x80", "7"},
                          {"x.y-z_$", "8"}};
  absl::StatusOr<core::InstanceInfo> info = ReadInstanceXml(WriteInstanceXml({&record}), kNow);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->metadata, record.info.metadata);
}

TEST(XmlNameCoder, Table) {
  const std::pair<std::string_view, std::string_view> kCases[] = {
      {"zone", "zone"},
      {"versions_delta", "versions__delta"},
      {"a_b$c", "a__b_-c"},
      {"$", "_-"},
      {"management.port", "management.port"},
      {"instance-id", "instance-id"},
      {"1abc", "_.0031abc"},
      {"-x", "_.002dx"},
      {".x", "_.002ex"},
      {"a b", "a_.0020b"},
      {"a:b", "a_.003ab"},
      {"caf\xC3\xA9", "caf_.00e9"},
      {"\xF0\x9F\x98\x80", "_.d83d_.de00"},
      {"", ""},
  };
  for (const auto& [plain, coded] : kCases) {
    EXPECT_EQ(EncodeXmlName(plain), coded) << plain;
    EXPECT_EQ(DecodeXmlName(coded), plain) << coded;
  }
  // Unknown or broken escapes stay as they are.
  EXPECT_EQ(DecodeXmlName("_x"), "_x");
  EXPECT_EQ(DecodeXmlName("a_"), "a_");
  EXPECT_EQ(DecodeXmlName("_.zzzz"), "_.zzzz");
  EXPECT_EQ(DecodeXmlName("_.00"), "_.00");
  EXPECT_EQ(DecodeXmlName("_.d83dx"), "\xEF\xBF\xBDx");  // lone surrogate
}

constexpr std::string_view kMinimalXml =
    "<instance><hostName>h1</hostName><app>orders</app><ipAddr>10.0.0.1</ipAddr>"
    "<dataCenterInfo class=\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\">"
    "<name>MyOwn</name></dataCenterInfo>";

absl::StatusOr<core::InstanceInfo> ReadWith(std::string_view extra) {
  return ReadInstanceXml(std::string(kMinimalXml) + std::string(extra) + "</instance>", kNow);
}

TEST(EurekaXmlReader, DefaultsLikeJson) {
  absl::StatusOr<core::InstanceInfo> info = ReadWith("");
  ASSERT_TRUE(info.ok()) << info.status();
  core::InstanceInfo expected;
  expected.host_name = "h1";
  expected.app = "ORDERS";
  expected.ip_addr = "10.0.0.1";
  expected.last_dirty_timestamp = kNow;
  expected.last_updated_timestamp = kNow;
  EXPECT_EQ(*info, expected);
  EXPECT_EQ(
      *info,
      *ReadInstanceJson(
          R"({"instance":{"hostName":"h1","app":"orders","ipAddr":"10.0.0.1",)"
          R"("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"}}})",
          kNow));
}

struct XmlCase {
  const char* name;
  const char* extra;
  bool (*check)(const core::InstanceInfo&);
};

const XmlCase kXmlCases[] = {
    {"LowerOverride", "<overriddenstatus>DOWN</overriddenstatus>",
     [](const core::InstanceInfo& i) {
       return i.overridden_status == core::InstanceStatus::kDown;
     }},
    {"CamelOverride", "<overriddenStatus>OUT_OF_SERVICE</overriddenStatus>",
     [](const core::InstanceInfo& i) {
       return i.overridden_status == core::InstanceStatus::kOutOfService;
     }},
    {"LowerCaseStatusIsUnknown", "<status>up</status>",
     [](const core::InstanceInfo& i) { return i.status == core::InstanceStatus::kUnknown; }},
    {"PortWithoutAttributeIsEnabled", "<port>81</port>",
     [](const core::InstanceInfo& i) {
       return i.port == core::PortInfo{81, true};
     }},
    {"PortEnabledFalse", "<port enabled=\"false\">82</port>",
     [](const core::InstanceInfo& i) {
       return i.port == core::PortInfo{82, false};
     }},
    {"PortEnabledOther", "<port enabled=\"no\">83</port>",
     [](const core::InstanceInfo& i) {
       return i.port == core::PortInfo{83, true};
     }},
    {"SecurePortWithoutAttributeIsDisabled", "<securePort>443</securePort>",
     [](const core::InstanceInfo& i) {
       return i.secure_port == core::PortInfo{443, false};
     }},
    {"SecurePortEnabledTrue", "<securePort enabled=\"true\"> 8443 </securePort>",
     [](const core::InstanceInfo& i) {
       return i.secure_port == core::PortInfo{8443, true};
     }},
    {"AmazonNameAnyCase",
     "<dataCenterInfo class=\"x\"><name>AMAZON</name><metadata><instance-id>i-9</instance-id>"
     "</metadata></dataCenterInfo>",
     [](const core::InstanceInfo& i) {
       return i.data_center.IsAmazon() && i.data_center.metadata.at("instance-id") == "i-9" &&
              i.data_center.class_name == core::kAmazonDataCenterClass;
     }},
    {"ClassAttributeIgnored",
     "<dataCenterInfo "
     "class=\"com.netflix.appinfo.AmazonInfo\"><name>Netflix</name></dataCenterInfo>",
     [](const core::InstanceInfo& i) {
       return i.data_center.name == "Netflix" &&
              i.data_center.class_name == core::kDefaultDataCenterClass;
     }},
    {"DataCenterWithoutName", "<dataCenterInfo/>",
     [](const core::InstanceInfo& i) { return i.has_data_center && i.data_center.name.empty(); }},
    {"MetadataClassDropped",
     "<metadata class=\"java.util.Collections$EmptyMap\"><class>x</class><a__b_-c>v</a__b_-c>"
     "</metadata>",
     [](const core::InstanceInfo& i) {
       return i.metadata == std::map<std::string, std::string>{{"a_b$c", "v"}};
     }},
    {"EmptyMetadata", "<metadata class=\"java.util.Collections$EmptyMap\"/>",
     [](const core::InstanceInfo& i) { return i.metadata.empty(); }},
    {"LeaseInfo",
     "<leaseInfo><renewalIntervalInSecs>5</renewalIntervalInSecs><durationInSecs>15</"
     "durationInSecs>"
     "<registrationTimestamp>9</registrationTimestamp></leaseInfo>",
     [](const core::InstanceInfo& i) {
       return i.renewal_interval_secs == 5 && i.duration_secs == 15;
     }},
    {"Timestamps",
     "<lastDirtyTimestamp>77</lastDirtyTimestamp><lastUpdatedTimestamp>78</lastUpdatedTimestamp>",
     [](const core::InstanceInfo& i) {
       return i.last_dirty_timestamp == 77 && i.last_updated_timestamp == 78;
     }},
    {"Coordinating", "<isCoordinatingDiscoveryServer>True</isCoordinatingDiscoveryServer>",
     [](const core::InstanceInfo& i) { return i.is_coordinating_discovery_server; }},
    {"EmptyInstanceId", "<instanceId/>",
     [](const core::InstanceInfo& i) { return i.instance_id == ""; }},
    {"EntitiesAndCdata", "<homePageUrl>a&amp;b&#x41;<![CDATA[<c>]]></homePageUrl>",
     [](const core::InstanceInfo& i) { return i.home_page_url == "a&bA<c>"; }},
    {"UnknownIgnored",
     "<actionType>DELETED</actionType><surprise><x/></surprise><!-- c --><?pi x?>",
     [](const core::InstanceInfo& i) { return i.app == "ORDERS"; }},
};

TEST(EurekaXmlReader, LeniencyTable) {
  for (const XmlCase& c : kXmlCases) {
    absl::StatusOr<core::InstanceInfo> info = ReadWith(c.extra);
    ASSERT_TRUE(info.ok()) << c.name << ": " << info.status();
    EXPECT_TRUE(c.check(*info)) << c.name;
  }
}

TEST(EurekaXmlReader, MissingDataCenter) {
  absl::StatusOr<core::InstanceInfo> info =
      ReadInstanceXml("<instance><app>A</app><hostName>h</hostName></instance>", kNow);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->has_data_center);
}

TEST(EurekaXmlReader, DeclaredLatin1Encoding) {
  absl::StatusOr<core::InstanceInfo> info = ReadInstanceXml(
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
      "<instance><app>A</app><hostName>caf\xE9</hostName></instance>",
      kNow);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->host_name, "caf\xC3\xA9");
}

TEST(EurekaXmlReader, RejectsMalformedBodies) {
  const char* const kBad[] = {
      "",
      "<instance>",
      "<instance><app>A</app>",
      "<instance><app>A</app></instanc>",
      "<application><app>A</app></application>",
      "<instance><hostName>h</hostName></instance>",  // no app
      "<instance><app>A</app><port>eighty</port></instance>",
      "<instance><app>A</app><port/></instance>",
      "<instance><app>A</app><countryId>99999999999</countryId></instance>",
      "<instance><app>A</app><lastDirtyTimestamp>x</lastDirtyTimestamp></instance>",
      "<instance><app>A</app></instance><instance/>",
      "<instance><app>&undefined;</app></instance>",
      "<instance><app>\xFF</app></instance>",
      "<instance><app>A\x01</app></instance>",
  };
  for (const char* body : kBad) {
    EXPECT_EQ(ReadInstanceXml(body, kNow).status().code(), absl::StatusCode::kInvalidArgument)
        << body;
  }
}

TEST(EurekaXmlReader, RejectsDoctypesAndEntities) {
  const char* const kBombs[] = {
      // Billion laughs.
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
      "<instance><app>&lol3;</app></instance>",
      // External entity.
      "<!DOCTYPE instance [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
      "<instance><app>&xxe;</app></instance>",
      // Parameter entity.
      "<!DOCTYPE instance [<!ENTITY % p SYSTEM \"http://example.invalid/x.dtd\"> %p;]>"
      "<instance><app>A</app></instance>",
      // A bare DOCTYPE is refused too.
      "<!DOCTYPE instance><instance><app>A</app></instance>",
      "<!DOCTYPE instance SYSTEM "
      "\"http://example.invalid/x.dtd\"><instance><app>A</app></instance>",
  };
  for (const char* body : kBombs) {
    absl::StatusOr<core::InstanceInfo> info = ReadInstanceXml(body, kNow);
    EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(EurekaXmlReader, RejectsDeepNesting) {
  std::string body = "<instance><app>A</app>";
  for (int i = 0; i < 100; ++i) body += "<x>";
  for (int i = 0; i < 100; ++i) body += "</x>";
  body += "</instance>";
  EXPECT_EQ(ReadInstanceXml(body, kNow).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace logbook::net::eureka
