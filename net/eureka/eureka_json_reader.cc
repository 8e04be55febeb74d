// The Eureka JSON readers (§3.4, E14) on simdjson's DOM, error codes only.
// Lenient where real clients differ (the legacy codec, Spring's bean
// rendering, eureka-js-client): numbers or numeric strings, booleans or
// "true"/"false" strings, null meaning absent, unknown fields ignored.
#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/text.h"
#include "net/eureka/wire_values.h"

namespace logbook::net::eureka {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(Concat({"cannot parse request body: ", field, ": ", problem}));
}

// A scalar as text, the way Jackson's getText() renders it: Java string fields
// accept numbers and booleans too.
absl::StatusOr<std::string> ReadText(element value, std::string_view field) {
  switch (value.type()) {
    case element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) break;
      return std::string(text);
    }
    case element_type::INT64: {
      std::int64_t number = 0;
      if (value.get_int64().get(number) != simdjson::SUCCESS) break;
      return absl::StrCat(number);
    }
    case element_type::UINT64: {
      std::uint64_t number = 0;
      if (value.get_uint64().get(number) != simdjson::SUCCESS) break;
      return absl::StrCat(number);
    }
    case element_type::DOUBLE: {
      double number = 0;
      if (value.get_double().get(number) != simdjson::SUCCESS) break;
      char buffer[32];
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), number);
      return std::string(buffer, result.ptr);
    }
    case element_type::BOOL: {
      bool flag = false;
      if (value.get_bool().get(flag) != simdjson::SUCCESS) break;
      return std::string(flag ? "true" : "false");
    }
    default:
      break;
  }
  return Invalid(field, "expected a string");
}

// A number or a numeric string (Spring sends numbers, the legacy codec strings).
absl::StatusOr<std::int64_t> ReadInt64(element value, std::string_view field) {
  switch (value.type()) {
    case element_type::INT64: {
      std::int64_t number = 0;
      if (value.get_int64().get(number) == simdjson::SUCCESS) return number;
      break;
    }
    case element_type::UINT64:
      // simdjson reports UINT64 only above INT64_MAX.
      return Invalid(field, "number out of range");
    case element_type::DOUBLE: {
      // Jackson coerces integral floats (8080.0) to integers.
      double number = 0;
      if (value.get_double().get(number) != simdjson::SUCCESS) break;
      if (std::isfinite(number) && number == std::trunc(number) && number >= -9.2e18 &&
          number <= 9.2e18) {
        return static_cast<std::int64_t>(number);
      }
      return Invalid(field, "expected an integer");
    }
    case element_type::STRING: {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) break;
      if (std::optional<std::int64_t> number = ParseDecimalInt64(text)) return *number;
      return Invalid(field, "expected an integer");
    }
    default:
      break;
  }
  return Invalid(field, "expected a number");
}

absl::StatusOr<std::int32_t> ReadInt32(element value, std::string_view field) {
  absl::StatusOr<std::int64_t> number = ReadInt64(value, field);
  if (!number.ok()) return number.status();
  if (*number < std::numeric_limits<std::int32_t>::min() ||
      *number > std::numeric_limits<std::int32_t>::max()) {
    return Invalid(field, "number out of range");
  }
  return static_cast<std::int32_t>(*number);
}

absl::StatusOr<bool> ReadBool(element value, std::string_view field) {
  if (value.type() == element_type::BOOL) {
    bool flag = false;
    if (value.get_bool().get(flag) == simdjson::SUCCESS) return flag;
  } else if (value.type() == element_type::STRING) {
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS) return ParseJavaBoolean(text);
  }
  return Invalid(field, "expected a boolean");
}

absl::StatusOr<object> ReadObject(element value, std::string_view field) {
  object result;
  if (value.get_object().get(result) != simdjson::SUCCESS) {
    return Invalid(field, "expected an object");
  }
  return result;
}

// A string map; "@class" (Jackson's type marker, e.g. EmptyMap) and null
// values are skipped.
absl::Status ReadStringMap(element value, std::string_view field, core::CompactStringMap& map) {
  absl::StatusOr<object> fields = ReadObject(value, field);
  if (!fields.ok()) return fields.status();
  map.clear();
  for (const auto [key, entry] : *fields) {
    if (key == "@class" || entry.is_null()) continue;
    absl::StatusOr<std::string> text = ReadText(entry, field);
    if (!text.ok()) return text.status();
    map.insert_or_assign(key, *std::move(text));
  }
  return absl::OkStatus();
}

// {"$": 8080, "@enabled": "true"}; a bare number is taken as the port alone.
// A missing @enabled keeps the default (plain enabled, secure disabled).
absl::Status ReadPort(element value, std::string_view field, core::PortInfo& port) {
  if (value.type() != element_type::OBJECT) {
    absl::StatusOr<std::int32_t> number = ReadInt32(value, field);
    if (!number.ok()) return number.status();
    port.port = *number;
    return absl::OkStatus();
  }
  absl::StatusOr<object> fields = ReadObject(value, field);
  if (!fields.ok()) return fields.status();
  for (const auto [key, entry] : *fields) {
    if (entry.is_null()) continue;
    if (key == "$") {
      absl::StatusOr<std::int32_t> number = ReadInt32(entry, field);
      if (!number.ok()) return number.status();
      port.port = *number;
    } else if (key == "@enabled") {
      absl::StatusOr<bool> enabled = ReadBool(entry, field);
      if (!enabled.ok()) return enabled.status();
      port.enabled = *enabled;
    }
  }
  return absl::OkStatus();
}

absl::Status ReadDataCenter(element value, core::InstanceInfo& info) {
  absl::StatusOr<object> fields = ReadObject(value, "dataCenterInfo");
  if (!fields.ok()) return fields.status();
  std::optional<std::string> class_name;
  std::optional<std::string> name;
  core::DataCenterInfo data_center;
  for (const auto [key, entry] : *fields) {
    if (entry.is_null()) continue;
    if (key == "@class") {
      absl::StatusOr<std::string> text = ReadText(entry, "dataCenterInfo.@class");
      if (!text.ok()) return text.status();
      class_name = *std::move(text);
    } else if (key == "name") {
      absl::StatusOr<std::string> text = ReadText(entry, "dataCenterInfo.name");
      if (!text.ok()) return text.status();
      name = *std::move(text);
    } else if (key == "metadata") {
      RETURN_IF_ERROR(ReadStringMap(entry, "dataCenterInfo.metadata", data_center.metadata));
    }
  }
  // Jackson needs @class to pick the type; we default it to the generic type
  // when a name says enough, but a bare {} is as unparsable as for Eureka.
  if (!class_name.has_value() && !name.has_value()) {
    return Invalid("dataCenterInfo", "missing @class");
  }
  data_center.name = name.value_or("");
  const bool amazon = class_name == core::kAmazonDataCenterClass || IsAmazonName(data_center.name);
  NormalizeDataCenter(amazon, data_center);
  info.data_center = std::move(data_center);
  info.has_data_center = true;
  return absl::OkStatus();
}

absl::Status ReadLeaseInfo(element value, core::InstanceInfo& info) {
  absl::StatusOr<object> fields = ReadObject(value, "leaseInfo");
  if (!fields.ok()) return fields.status();
  // The lease timestamps are the server's to set; only the client's interval
  // and duration are kept (the renewalTimestamp alias is ignored with them).
  for (const auto [key, entry] : *fields) {
    if (entry.is_null()) continue;
    if (key == "renewalIntervalInSecs") {
      absl::StatusOr<std::int32_t> number = ReadInt32(entry, "leaseInfo.renewalIntervalInSecs");
      if (!number.ok()) return number.status();
      info.renewal_interval_secs = *number;
    } else if (key == "durationInSecs") {
      absl::StatusOr<std::int32_t> number = ReadInt32(entry, "leaseInfo.durationInSecs");
      if (!number.ok()) return number.status();
      info.duration_secs = *number;
    }
  }
  return absl::OkStatus();
}

template <typename Nullable>  // std::optional<std::string> or core::CompactString
absl::Status ReadOptionalText(element value, std::string_view field, Nullable& target) {
  absl::StatusOr<std::string> text = ReadText(value, field);
  if (!text.ok()) return text.status();
  target = *std::move(text);
  return absl::OkStatus();
}

// One field of the instance object; unknown names are ignored.
absl::Status ReadInstanceField(std::string_view key, element value, core::InstanceInfo& info,
                               bool& saw_app) {
  const auto text_into = [&](auto& target) -> absl::Status {  // std::string or CompactString
    absl::StatusOr<std::string> text = ReadText(value, key);
    if (!text.ok()) return text.status();
    target = *std::move(text);
    return absl::OkStatus();
  };
  const auto timestamp_into = [&](core::TimestampMs& target) -> absl::Status {
    absl::StatusOr<std::int64_t> number = ReadInt64(value, key);
    if (!number.ok()) return number.status();
    target = *number;
    return absl::OkStatus();
  };
  if (key == "instanceId") return ReadOptionalText(value, key, info.instance_id);
  if (key == "hostName") return text_into(info.host_name);
  if (key == "app") {
    RETURN_IF_ERROR(text_into(info.app));
    info.app = core::ToUpperAscii(info.app);
    saw_app = true;
    return absl::OkStatus();
  }
  if (key == "appGroupName") {
    RETURN_IF_ERROR(ReadOptionalText(value, key, info.app_group_name));
    info.app_group_name = core::ToUpperAscii(*info.app_group_name);
    return absl::OkStatus();
  }
  if (key == "ipAddr") return text_into(info.ip_addr);
  if (key == "sid") return text_into(info.sid);
  if (key == "status" || key == "overriddenStatus" || key == "overriddenstatus") {
    absl::StatusOr<std::string> text = ReadText(value, key);
    if (!text.ok()) return text.status();
    (key == "status" ? info.status : info.overridden_status) = core::ParseStatusLenient(*text);
    return absl::OkStatus();
  }
  if (key == "port") return ReadPort(value, key, info.port);
  if (key == "securePort") return ReadPort(value, key, info.secure_port);
  if (key == "countryId") {
    absl::StatusOr<std::int32_t> number = ReadInt32(value, key);
    if (!number.ok()) return number.status();
    info.country_id = *number;
    return absl::OkStatus();
  }
  if (key == "dataCenterInfo") return ReadDataCenter(value, info);
  if (key == "leaseInfo") return ReadLeaseInfo(value, info);
  if (key == "metadata") return ReadStringMap(value, key, info.metadata);
  if (key == "homePageUrl") return ReadOptionalText(value, key, info.home_page_url);
  if (key == "statusPageUrl") return ReadOptionalText(value, key, info.status_page_url);
  if (key == "healthCheckUrl") return ReadOptionalText(value, key, info.health_check_url);
  if (key == "secureHealthCheckUrl") {
    return ReadOptionalText(value, key, info.secure_health_check_url);
  }
  if (key == "vipAddress") return ReadOptionalText(value, key, info.vip_address);
  if (key == "secureVipAddress") return ReadOptionalText(value, key, info.secure_vip_address);
  if (key == "asgName") return ReadOptionalText(value, key, info.asg_name);
  if (key == "isCoordinatingDiscoveryServer") {
    absl::StatusOr<bool> flag = ReadBool(value, key);
    if (!flag.ok()) return flag.status();
    info.is_coordinating_discovery_server = *flag;
    return absl::OkStatus();
  }
  if (key == "lastUpdatedTimestamp") return timestamp_into(info.last_updated_timestamp);
  if (key == "lastDirtyTimestamp") return timestamp_into(info.last_dirty_timestamp);
  // actionType and anything else: the server decides it or does not know it.
  return absl::OkStatus();
}

// The bare instance object: the inside of {"instance":...}, and E14's instanceInfo.
absl::StatusOr<core::InstanceInfo> ReadInstanceObject(element value, core::TimestampMs now_ms) {
  absl::StatusOr<object> fields = ReadObject(value, "instance");
  if (!fields.ok()) return fields.status();
  core::InstanceInfo info;
  // Eureka's builder starts from "now" and from no data center (E1 defaults).
  info.last_updated_timestamp = now_ms;
  info.last_dirty_timestamp = now_ms;
  info.has_data_center = false;
  bool saw_app = false;
  for (const auto [key, entry] : *fields) {
    if (entry.is_null()) continue;  // Spring's mapper writes nulls for absent fields
    RETURN_IF_ERROR(ReadInstanceField(key, entry, info, saw_app));
  }
  // InstanceInfo.Builder.build() refuses an instance without an app name.
  if (!saw_app) return Invalid("instance", "missing app");
  return info;
}

// One parser per thread, reused: a fresh simdjson parser allocates its
// depth stacks and tape for every document, which was ~8% of a registration's
// CPU. Elements read from it are valid until that thread's next parse, so a
// reader must finish with a document before returning. Bodies above
// kReusedParserMaxBytes get a parser of their own, so a rare large replication
// batch does not stay allocated.
constexpr std::size_t kReusedParserMaxBytes = 64 * 1024;

simdjson::dom::parser& ReusedParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

absl::StatusOr<element> ParseDocument(simdjson::dom::parser& parser, std::string_view body) {
  element root;
  // realloc_if_needed: the body is not padded, so simdjson copies it.
  if (const auto error = parser.parse(body.data(), body.size(), true).get(root);
      error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse request body: ", simdjson::error_message(error)));
  }
  if (root.type() != element_type::OBJECT) {
    return Invalid("document", "expected an object");
  }
  return root;
}

absl::Status ReadReplicationItem(element value, core::TimestampMs now_ms, ReplicationItem& item) {
  absl::StatusOr<object> fields = ReadObject(value, "replicationList[]");
  if (!fields.ok()) return fields.status();
  for (const auto [key, entry] : *fields) {
    if (entry.is_null()) continue;
    if (key == "action" || key == "appName" || key == "id") {
      absl::StatusOr<std::string> text = ReadText(entry, key);
      if (!text.ok()) return text.status();
      (key == "action"    ? item.action
       : key == "appName" ? item.app_name
                          : item.id) = *std::move(text);
    } else if (key == "status") {
      RETURN_IF_ERROR(ReadOptionalText(entry, key, item.status));
    } else if (key == "overriddenStatus" || key == "overriddenstatus") {
      RETURN_IF_ERROR(ReadOptionalText(entry, key, item.overridden_status));
    } else if (key == "lastDirtyTimestamp") {
      absl::StatusOr<std::int64_t> number = ReadInt64(entry, key);
      if (!number.ok()) return number.status();
      item.last_dirty_timestamp = *number;
    } else if (key == "instanceInfo") {
      // A bad instance fails this item only; the peer's other items still apply.
      item.instance_info = ReadInstanceObject(entry, now_ms);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<core::InstanceInfo> ReadInstanceJson(std::string_view body,
                                                    core::TimestampMs now_ms) {
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser& parser =
      body.size() <= kReusedParserMaxBytes ? ReusedParser() : own.emplace();
  absl::StatusOr<element> root = ParseDocument(parser, body);
  if (!root.ok()) return root.status();
  element instance;
  if (root->at_key("instance").get(instance) != simdjson::SUCCESS || instance.is_null()) {
    return Invalid("document", "missing \"instance\" root");
  }
  return ReadInstanceObject(instance, now_ms);
}

absl::StatusOr<std::vector<ReplicationItem>> ReadReplicationBatchJson(std::string_view body,
                                                                      core::TimestampMs now_ms) {
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser& parser =
      body.size() <= kReusedParserMaxBytes ? ReusedParser() : own.emplace();
  absl::StatusOr<element> root = ParseDocument(parser, body);
  if (!root.ok()) return root.status();
  std::vector<ReplicationItem> items;
  element list;
  // A missing or null list is an empty batch: nothing to apply, nothing wrong.
  if (root->at_key("replicationList").get(list) != simdjson::SUCCESS || list.is_null()) {
    return items;
  }
  simdjson::dom::array array;
  if (list.get_array().get(array) != simdjson::SUCCESS) {
    return Invalid("replicationList", "expected an array");
  }
  for (element value : array) {
    ReplicationItem& item = items.emplace_back();
    RETURN_IF_ERROR(ReadReplicationItem(value, now_ms, item));
  }
  return items;
}

absl::StatusOr<std::vector<ReplicationResponseItem>> ReadReplicationResponseJson(
    std::string_view body, core::TimestampMs now_ms) {
  std::optional<simdjson::dom::parser> own;
  simdjson::dom::parser& parser =
      body.size() <= kReusedParserMaxBytes ? ReusedParser() : own.emplace();
  absl::StatusOr<element> root = ParseDocument(parser, body);
  if (!root.ok()) return root.status();
  simdjson::dom::array array;
  if (root->at_key("responseList").get_array().get(array) != simdjson::SUCCESS) {
    return Invalid("responseList", "missing or not an array");
  }
  std::vector<ReplicationResponseItem> items;
  for (element value : array) {
    ReplicationResponseItem& item = items.emplace_back();
    absl::StatusOr<object> fields = ReadObject(value, "responseList[]");
    if (!fields.ok()) return fields.status();
    for (const auto [key, entry] : *fields) {
      if (entry.is_null()) continue;
      if (key == "statusCode") {
        absl::StatusOr<std::int32_t> code = ReadInt32(entry, key);
        if (!code.ok()) return code.status();
        item.status_code = *code;
      } else if (key == "responseEntity") {
        item.response_entity = ReadInstanceObject(entry, now_ms);
      }
    }
  }
  return items;
}

}  // namespace logbook::net::eureka
