// The Eureka XML reader: expat builds a small element tree, then the tree is
// read with the same defaults and leniency as the JSON reader (§3.4, §3.6).
// DOCTYPEs and entity declarations are refused outright: registration bodies
// never need them, and they are how XML bombs and external entities get in.
#include <expat.h>

#include <climits>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/text.h"
#include "net/eureka/wire_values.h"

namespace logbook::net::eureka {
namespace {

// instance/dataCenterInfo/metadata/key is four deep; leave room for unknown
// elements but stop pathological nesting early.
constexpr std::size_t kMaxDepth = 32;

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // character data directly inside this element
  std::vector<XmlElement> children;

  const std::string* Attribute(std::string_view attribute) const {
    for (const auto& [key, value] : attributes) {
      if (key == attribute) return &value;
    }
    return nullptr;
  }
};

// Receives expat's callbacks. Each trampoline is noexcept and only records;
// a refusal stops the parser and leaves its reason in `error`.
struct TreeBuilder {
  XML_Parser parser = nullptr;
  XmlElement root;
  bool has_root = false;
  std::vector<XmlElement*> open;  // root .. innermost open element
  std::string error;

  void Fail(std::string reason) {
    if (error.empty()) error = std::move(reason);
    XML_StopParser(parser, XML_FALSE);
  }

  static void OnStart(void* data, const XML_Char* name, const XML_Char** attributes) noexcept {
    auto* self = static_cast<TreeBuilder*>(data);
    if (self->open.size() >= kMaxDepth) {
      self->Fail("elements nested too deeply");
      return;
    }
    XmlElement* element;
    if (self->open.empty()) {
      self->root.name = name;
      self->has_root = true;
      element = &self->root;
    } else {
      // Only the innermost element's children grow, so the pointers held in
      // `open` (its ancestors and itself) stay valid.
      element = &self->open.back()->children.emplace_back();
      element->name = name;
    }
    for (const XML_Char** a = attributes; a[0] != nullptr; a += 2) {
      element->attributes.emplace_back(a[0], a[1]);
    }
    self->open.push_back(element);
  }

  static void OnEnd(void* data, const XML_Char* /*name*/) noexcept {
    auto* self = static_cast<TreeBuilder*>(data);
    if (!self->open.empty()) self->open.pop_back();
  }

  static void OnText(void* data, const XML_Char* text, int length) noexcept {
    auto* self = static_cast<TreeBuilder*>(data);
    if (!self->open.empty()) self->open.back()->text.append(text, static_cast<std::size_t>(length));
  }

  static void OnDoctype(void* data, const XML_Char*, const XML_Char*, const XML_Char*,
                        int) noexcept {
    static_cast<TreeBuilder*>(data)->Fail("DOCTYPE is not allowed");
  }

  static void OnEntityDecl(void* data, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                           const XML_Char*, const XML_Char*, const XML_Char*) noexcept {
    static_cast<TreeBuilder*>(data)->Fail("entity declarations are not allowed");
  }
};

struct ParserDeleter {
  void operator()(XML_ParserStruct* parser) const { XML_ParserFree(parser); }
};

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(Concat({"cannot parse request body: ", what}));
}

absl::StatusOr<XmlElement> ParseTree(std::string_view body) {
  if (body.size() > static_cast<std::size_t>(INT_MAX)) return Invalid("body too large");
  // nullptr: honour the document's declared encoding (UTF-8 if none).
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate(nullptr));
  if (parser == nullptr) std::abort();  // out of memory
  TreeBuilder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), &TreeBuilder::OnStart, &TreeBuilder::OnEnd);
  XML_SetCharacterDataHandler(parser.get(), &TreeBuilder::OnText);
  XML_SetStartDoctypeDeclHandler(parser.get(), &TreeBuilder::OnDoctype);
  XML_SetEntityDeclHandler(parser.get(), &TreeBuilder::OnEntityDecl);
  XML_SetParamEntityParsing(parser.get(), XML_PARAM_ENTITY_PARSING_NEVER);
  const XML_Status status =
      XML_Parse(parser.get(), body.data(), static_cast<int>(body.size()), /*isFinal=*/XML_TRUE);
  if (!builder.error.empty()) return Invalid(builder.error);
  if (status != XML_STATUS_OK) {
    return Invalid(absl::StrCat(XML_ErrorString(XML_GetErrorCode(parser.get())), " at line ",
                                XML_GetCurrentLineNumber(parser.get())));
  }
  if (!builder.has_root) return Invalid("no root element");
  return std::move(builder.root);
}

absl::StatusOr<std::int64_t> ReadInt64(const XmlElement& element) {
  if (std::optional<std::int64_t> value = ParseDecimalInt64(TrimAscii(element.text))) {
    return *value;
  }
  return Invalid(absl::StrCat(element.name, ": expected an integer"));
}

absl::StatusOr<std::int32_t> ReadInt32(const XmlElement& element) {
  if (std::optional<std::int32_t> value = ParseDecimalInt32(TrimAscii(element.text))) {
    return *value;
  }
  return Invalid(absl::StrCat(element.name, ": expected an integer"));
}

// Child elements as a string map, names decoded; XStream's "class" entry is
// a type marker, not a key.
void ReadMap(const XmlElement& element, core::CompactStringMap& map) {
  map.clear();
  for (const XmlElement& child : element.children) {
    std::string key = DecodeXmlName(child.name);
    if (key == "class") continue;
    map.insert_or_assign(key, child.text);
  }
}

// Ports: `enabled` attribute; a plain port is on unless it says "false", a
// secure port is off unless it says "true" (§3.6).
absl::Status ReadPort(const XmlElement& element, bool secure, core::PortInfo& port) {
  absl::StatusOr<std::int32_t> number = ReadInt32(element);
  if (!number.ok()) return number.status();
  port.port = *number;
  const std::string* enabled = element.Attribute("enabled");
  port.enabled = secure ? (enabled != nullptr && *enabled == "true")
                        : (enabled == nullptr || *enabled != "false");
  return absl::OkStatus();
}

// The class attribute is ignored: the <name> child decides the type.
void ReadDataCenter(const XmlElement& element, core::InstanceInfo& info) {
  core::DataCenterInfo data_center;
  data_center.name.clear();
  for (const XmlElement& child : element.children) {
    if (child.name == "name") {
      data_center.name = child.text;
    } else if (child.name == "metadata") {
      ReadMap(child, data_center.metadata);
    }
  }
  NormalizeDataCenter(IsAmazonName(data_center.name), data_center);
  info.data_center = std::move(data_center);
  info.has_data_center = true;
}

absl::Status ReadLeaseInfo(const XmlElement& element, core::InstanceInfo& info) {
  // Only the client's interval and duration matter; the server sets the rest.
  for (const XmlElement& child : element.children) {
    if (child.name != "renewalIntervalInSecs" && child.name != "durationInSecs") continue;
    absl::StatusOr<std::int32_t> number = ReadInt32(child);
    if (!number.ok()) return number.status();
    (child.name == "durationInSecs" ? info.duration_secs : info.renewal_interval_secs) = *number;
  }
  return absl::OkStatus();
}

absl::Status ReadInstanceChild(const XmlElement& child, core::InstanceInfo& info, bool& saw_app) {
  const std::string& name = child.name;
  const std::string& text = child.text;
  const auto timestamp_into = [&](core::TimestampMs& target) -> absl::Status {
    absl::StatusOr<std::int64_t> number = ReadInt64(child);
    if (!number.ok()) return number.status();
    target = *number;
    return absl::OkStatus();
  };
  if (name == "instanceId") {
    info.instance_id = text;
  } else if (name == "hostName") {
    info.host_name = text;
  } else if (name == "app") {
    info.app = core::ToUpperAscii(text);
    saw_app = true;
  } else if (name == "appGroupName") {
    info.app_group_name = core::ToUpperAscii(text);
  } else if (name == "ipAddr") {
    info.ip_addr = text;
  } else if (name == "sid") {
    info.sid = text;
  } else if (name == "status") {
    info.status = core::ParseStatusLenient(text);
  } else if (name == "overriddenstatus" || name == "overriddenStatus") {
    info.overridden_status = core::ParseStatusLenient(text);
  } else if (name == "port") {
    return ReadPort(child, /*secure=*/false, info.port);
  } else if (name == "securePort") {
    return ReadPort(child, /*secure=*/true, info.secure_port);
  } else if (name == "countryId") {
    absl::StatusOr<std::int32_t> number = ReadInt32(child);
    if (!number.ok()) return number.status();
    info.country_id = *number;
  } else if (name == "dataCenterInfo") {
    ReadDataCenter(child, info);
  } else if (name == "leaseInfo") {
    return ReadLeaseInfo(child, info);
  } else if (name == "metadata") {
    ReadMap(child, info.metadata);
  } else if (name == "homePageUrl") {
    info.home_page_url = text;
  } else if (name == "statusPageUrl") {
    info.status_page_url = text;
  } else if (name == "healthCheckUrl") {
    info.health_check_url = text;
  } else if (name == "secureHealthCheckUrl") {
    info.secure_health_check_url = text;
  } else if (name == "vipAddress") {
    info.vip_address = text;
  } else if (name == "secureVipAddress") {
    info.secure_vip_address = text;
  } else if (name == "asgName") {
    info.asg_name = text;
  } else if (name == "isCoordinatingDiscoveryServer") {
    info.is_coordinating_discovery_server = ParseJavaBoolean(TrimAscii(text));
  } else if (name == "lastUpdatedTimestamp") {
    return timestamp_into(info.last_updated_timestamp);
  } else if (name == "lastDirtyTimestamp") {
    return timestamp_into(info.last_dirty_timestamp);
  }
  // actionType and unknown elements are ignored.
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<core::InstanceInfo> ReadInstanceXml(std::string_view body,
                                                   core::TimestampMs now_ms) {
  absl::StatusOr<XmlElement> root = ParseTree(body);
  if (!root.ok()) return root.status();
  if (root->name != "instance") return Invalid("root element is not <instance>");
  core::InstanceInfo info;
  // Same starting point as the JSON reader (E1 defaults).
  info.last_updated_timestamp = now_ms;
  info.last_dirty_timestamp = now_ms;
  info.has_data_center = false;
  bool saw_app = false;
  for (const XmlElement& child : root->children) {
    RETURN_IF_ERROR(ReadInstanceChild(child, info, saw_app));
  }
  if (!saw_app) return Invalid("instance: missing app");
  return info;
}

}  // namespace logbook::net::eureka
