// The Eureka XML writers: XStream's PrettyPrintWriter output for the shapes
// of §3.6 (two-space indent, "\n" line ends, no declaration, empty elements
// as <x/>), and XStream's element-name coder. The reader is eureka_xml_reader.cc.
#include "net/eureka/eureka_xml.h"

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/utf8.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {
namespace {

constexpr std::string_view kEmptyMapClass = "java.util.Collections$EmptyMap";
constexpr char kHexDigits[] = "0123456789abcdef";

void AppendHexUnit(std::string* out, std::uint32_t unit) {
  for (int shift = 12; shift >= 0; shift -= 4) out->push_back(kHexDigits[(unit >> shift) & 0xF]);
}

void WriteOptional(XmlWriter& xml, std::string_view name, const core::CompactString& value) {
  if (value.has_value()) xml.Leaf(name, *value);
}

void WritePort(XmlWriter& xml, std::string_view name, const core::PortInfo& port) {
  xml.StartNode(name);
  xml.Attribute("enabled", port.enabled ? "true" : "false");
  xml.SetValue(absl::StrCat(port.port));
  xml.EndNode();
}

// Map entries as child elements named by the (coded) key. A key that codes
// to nothing cannot be an element and is left out rather than break the
// whole document.
void WriteMapEntries(XmlWriter& xml, const core::CompactStringMap& map) {
  for (const auto& [key, value] : map) {
    const std::string name = EncodeXmlName(key);
    if (name.empty()) continue;
    xml.Leaf(name, value);
  }
}

void WriteDataCenter(XmlWriter& xml, const core::DataCenterInfo& data_center) {
  const bool amazon = data_center.IsAmazon();
  xml.StartNode("dataCenterInfo");
  xml.Attribute("class", amazon ? core::kAmazonDataCenterClass : core::kDefaultDataCenterClass);
  xml.Leaf("name", data_center.name);
  if (amazon) {
    // AmazonInfo's map is a HashMap, so no class attribute even when empty.
    xml.StartNode("metadata");
    WriteMapEntries(xml, data_center.metadata);
    xml.EndNode();
  }
  xml.EndNode();
}

bool IsAsciiLetter(std::uint32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(std::uint32_t c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string EncodeXmlName(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const Utf8Char c = DecodeUtf8(name, i);
    const std::uint32_t code_point = c.length == 0 ? 0xFFFD : c.code_point;
    const bool first = out.empty();
    if (code_point == '$') {
      out.append("_-");
    } else if (code_point == '_') {
      out.append("__");
    } else if (IsAsciiLetter(code_point) ||
               (!first && (IsAsciiDigit(code_point) || code_point == '-' || code_point == '.'))) {
      out.push_back(static_cast<char>(code_point));
    } else if (code_point >= 0x10000) {
      // Java strings are UTF-16: XStream codes each surrogate separately.
      const std::uint32_t offset = code_point - 0x10000;
      out.append("_.");
      AppendHexUnit(&out, 0xD800 + (offset >> 10));
      out.append("_.");
      AppendHexUnit(&out, 0xDC00 + (offset & 0x3FF));
    } else {
      // Non-ASCII is coded too (XStream would pass letters through): parsers
      // disagree on which non-ASCII characters XML names allow, and ':' would
      // read as a namespace prefix.
      out.append("_.");
      AppendHexUnit(&out, code_point);
    }
    i += c.length == 0 ? 1 : c.length;
  }
  return out;
}

std::string DecodeXmlName(std::string_view name) {
  std::string out;
  std::uint32_t pending_high_surrogate = 0;
  for (std::size_t i = 0; i < name.size();) {
    if (name[i] == '_' && i + 1 < name.size()) {
      if (name[i + 1] == '_' || name[i + 1] == '-') {
        out.push_back(name[i + 1] == '_' ? '_' : '$');
        i += 2;
        continue;
      }
      if (name[i + 1] == '.' && i + 6 <= name.size()) {
        std::uint32_t unit = 0;
        bool valid = true;
        for (std::size_t k = i + 2; k < i + 6; ++k) {
          const int digit = HexValue(name[k]);
          valid = valid && digit >= 0;
          unit = (unit << 4) | static_cast<std::uint32_t>(digit < 0 ? 0 : digit);
        }
        if (valid) {
          if (unit >= 0xDC00 && unit <= 0xDFFF && pending_high_surrogate != 0) {
            AppendUtf8(&out, 0x10000 + ((pending_high_surrogate - 0xD800) << 10) + (unit - 0xDC00));
            pending_high_surrogate = 0;
          } else {
            if (pending_high_surrogate != 0) AppendUtf8(&out, 0xFFFD);  // a lone high surrogate
            pending_high_surrogate = 0;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
              pending_high_surrogate = unit;
            } else {
              // A lone low surrogate is no character either.
              AppendUtf8(&out, unit >= 0xDC00 && unit <= 0xDFFF ? 0xFFFD : unit);
            }
          }
          i += 6;
          continue;
        }
      }
    }
    if (pending_high_surrogate != 0) {
      AppendUtf8(&out, 0xFFFD);  // a lone high surrogate
      pending_high_surrogate = 0;
    }
    out.push_back(name[i]);
    ++i;
  }
  if (pending_high_surrogate != 0) AppendUtf8(&out, 0xFFFD);
  return out;
}

void WriteInstanceElement(const core::InstanceInfo& info, const core::Lease& lease,
                          core::ActionType action, XmlWriter& xml) {
  xml.StartNode("instance");
  WriteOptional(xml, "instanceId", info.instance_id);
  xml.Leaf("hostName", info.host_name);
  xml.Leaf("app", info.app);
  xml.Leaf("ipAddr", info.ip_addr);
  if (info.sid != "na" && info.sid != "unknown") xml.Leaf("sid", info.sid);
  xml.Leaf("status", core::StatusName(info.status));
  // All lower-case in XML, unlike JSON's overriddenStatus (§10 item 6).
  xml.Leaf("overriddenstatus", core::StatusName(info.overridden_status));
  WritePort(xml, "port", info.port);
  WritePort(xml, "securePort", info.secure_port);
  xml.Leaf("countryId", absl::StrCat(info.country_id));
  if (info.has_data_center) WriteDataCenter(xml, info.data_center);
  xml.StartNode("leaseInfo");
  xml.Leaf("renewalIntervalInSecs", absl::StrCat(info.EffectiveRenewalIntervalSecs()));
  xml.Leaf("durationInSecs", absl::StrCat(info.EffectiveDurationSecs()));
  xml.Leaf("registrationTimestamp", absl::StrCat(lease.registration_timestamp));
  xml.Leaf("lastRenewalTimestamp", absl::StrCat(lease.last_renewal_timestamp));
  xml.Leaf("evictionTimestamp", absl::StrCat(lease.eviction_timestamp));
  xml.Leaf("serviceUpTimestamp", absl::StrCat(lease.service_up_timestamp));
  xml.EndNode();
  xml.StartNode("metadata");
  // XStream names the implementation when it is not the default HashMap.
  if (info.metadata.empty()) xml.Attribute("class", kEmptyMapClass);
  WriteMapEntries(xml, info.metadata);
  xml.EndNode();
  WriteOptional(xml, "appGroupName", info.app_group_name);
  WriteOptional(xml, "homePageUrl", info.home_page_url);
  WriteOptional(xml, "statusPageUrl", info.status_page_url);
  WriteOptional(xml, "healthCheckUrl", info.health_check_url);
  WriteOptional(xml, "secureHealthCheckUrl", info.secure_health_check_url);
  WriteOptional(xml, "vipAddress", info.vip_address);
  WriteOptional(xml, "secureVipAddress", info.secure_vip_address);
  xml.Leaf("isCoordinatingDiscoveryServer",
           info.is_coordinating_discovery_server ? "true" : "false");
  xml.Leaf("lastUpdatedTimestamp", absl::StrCat(info.last_updated_timestamp));
  xml.Leaf("lastDirtyTimestamp", absl::StrCat(info.last_dirty_timestamp));
  xml.Leaf("actionType", core::ActionTypeName(action));
  WriteOptional(xml, "asgName", info.asg_name);
  xml.EndNode();
}


void WriteApplicationElement(const ApplicationView& application, XmlWriter& xml,
                             absl::FunctionRef<void(const InstanceView&)> write_instance) {
  xml.StartNode("application");
  xml.Leaf("name", application.name);
  for (const InstanceView& instance : application.instances) write_instance(instance);
  xml.EndNode();
}

void WriteCompactInstanceElement(const core::InstanceInfo& info, core::ActionType action,
                                 XmlWriter& xml) {
  xml.StartNode("instance");
  WriteOptional(xml, "instanceId", info.instance_id);
  xml.Leaf("app", info.app);
  xml.Leaf("ipAddr", info.ip_addr);
  WriteOptional(xml, "vipAddress", info.vip_address);
  WriteOptional(xml, "secureVipAddress", info.secure_vip_address);
  if (info.has_data_center) WriteDataCenter(xml, CompactDataCenter(info.data_center));
  xml.Leaf("hostName", info.host_name);
  xml.Leaf("status", core::StatusName(info.status));
  xml.Leaf("lastUpdatedTimestamp", absl::StrCat(info.last_updated_timestamp));
  xml.Leaf("actionType", core::ActionTypeName(action));
  WriteOptional(xml, "asgName", info.asg_name);
  // The mini codec's serializer appends the ports after the bean's fields.
  WritePort(xml, "port", info.port);
  WritePort(xml, "securePort", info.secure_port);
  xml.EndNode();
}

void WriteApplicationsXmlEnvelope(
    const ApplicationsDocument& document, XmlWriter& xml,
    absl::FunctionRef<void(const ApplicationView&)> write_application,
    PayloadFlavour flavour) {
  const auto write_versions = [&] {
    xml.Leaf("versions__delta", document.versions_delta);
    xml.Leaf("apps__hashcode", document.apps_hashcode);
  };
  xml.StartNode("applications");
  if (flavour == PayloadFlavour::kFull) write_versions();
  for (const ApplicationView& application : document.applications) write_application(application);
  // The mini codec's bean serializer adds them after the bean's own fields.
  if (flavour == PayloadFlavour::kCompact) write_versions();
  xml.EndNode();
}

void WriteDocumentInstanceXml(const InstanceView& instance, PayloadFlavour flavour,
                              XmlWriter& xml) {
  LOGBOOK_CHECK(instance.record != nullptr);
  if (flavour == PayloadFlavour::kCompact) {
    WriteCompactInstanceElement(instance.record->info, instance.action, xml);
  } else {
    WriteInstanceElement(instance.record->info, ShownLease(*instance.record), instance.action,
                         xml);
  }
}

XmlLayout LayoutOf(PayloadFlavour flavour) {
  return flavour == PayloadFlavour::kCompact ? XmlLayout::kCompact : XmlLayout::kPretty;
}

std::string WriteApplicationsXml(const ApplicationsDocument& document, PayloadFlavour flavour) {
  std::string out;
  XmlWriter xml(&out, 0, LayoutOf(flavour));
  WriteApplicationsXmlEnvelope(
      document, xml,
      [&xml, flavour](const ApplicationView& application) {
        WriteApplicationElement(application, xml, [&xml, flavour](const InstanceView& instance) {
          WriteDocumentInstanceXml(instance, flavour, xml);
        });
      },
      flavour);
  return out;
}

std::string WriteApplicationXml(const ApplicationView& application, PayloadFlavour flavour) {
  std::string out;
  XmlWriter xml(&out, 0, LayoutOf(flavour));
  WriteApplicationElement(application, xml, [&xml, flavour](const InstanceView& instance) {
    WriteDocumentInstanceXml(instance, flavour, xml);
  });
  return out;
}

std::string WriteInstanceXml(const InstanceView& instance) {
  LOGBOOK_CHECK(instance.record != nullptr);
  std::string out;
  XmlWriter xml(&out);
  WriteInstanceElement(instance.record->info, instance.record->lease, instance.action, xml);
  return out;
}

}  // namespace logbook::net::eureka

namespace logbook::net::eureka {

std::string WriteErrorXml(std::string_view message) {
  std::string out;
  XmlWriter xml(&out);
  xml.StartNode("error");
  xml.Leaf("message", message);
  xml.EndNode();
  return out;
}

}  // namespace logbook::net::eureka
