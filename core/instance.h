#pragma once
// The Eureka instance record (eureka-protocol.md §3.3) and its lease (§4.1),
// as the registry stores them. Plain values: codecs read and write them,
// events carry them, the registry owns them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/compact_string.h"
#include "core/compact_string_map.h"
#include "core/ids.h"

namespace logbook::core {

enum class InstanceStatus : std::uint8_t {
  kUp = 0,
  kDown = 1,
  kStarting = 2,
  kOutOfService = 3,
  kUnknown = 4,
};

// Exact upper-case wire names: "UP", "DOWN", "STARTING", "OUT_OF_SERVICE", "UNKNOWN".
std::string_view StatusName(InstanceStatus status);
// Exact match only (eureka-protocol.md §3.4); anything else is nullopt.
std::optional<InstanceStatus> ParseStatus(std::string_view name);
// Registration bodies: an unrecognised status string becomes UNKNOWN (§3.4).
InstanceStatus ParseStatusLenient(std::string_view name);

enum class ActionType : std::uint8_t { kAdded = 0, kModified = 1, kDeleted = 2 };
std::string_view ActionTypeName(ActionType action);

struct PortInfo {
  std::int32_t port = 0;
  bool enabled = false;
  bool operator==(const PortInfo&) const = default;
};

inline constexpr std::string_view kDefaultDataCenterClass =
    "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo";
inline constexpr std::string_view kAmazonDataCenterClass = "com.netflix.appinfo.AmazonInfo";

// Data center kinds (§3.3): Amazon carries a metadata map; the others only a name.
struct DataCenterInfo {
  // "MyOwn", "Amazon" or "Netflix" (the `name` field).
  CompactString name = "MyOwn";
  // The polymorphic type id (`@class`); AmazonInfo or DefaultDataCenterInfo.
  CompactString class_name = CompactString::Literal(kDefaultDataCenterClass);
  CompactStringMap metadata;  // Amazon only
  bool IsAmazon() const { return name == "Amazon"; }
  bool operator==(const DataCenterInfo&) const = default;
};

inline constexpr std::int32_t kDefaultRenewalIntervalSecs = 30;
inline constexpr std::int32_t kDefaultLeaseDurationSecs = 90;

// What a client registers. Field defaults are Eureka's (E1 "Defaults applied").
// Nullable Java strings are CompactStrings, which keep "absent" and "" distinct on output.
struct InstanceInfo {
  CompactString instance_id;
  CompactString host_name;
  std::string app;  // upper-case
  CompactString app_group_name;  // upper-case
  CompactString ip_addr;
  CompactString sid = "na";
  InstanceStatus status = InstanceStatus::kUp;
  InstanceStatus overridden_status = InstanceStatus::kUnknown;
  PortInfo port{7001, true};
  PortInfo secure_port{7002, false};
  std::int32_t country_id = 1;
  DataCenterInfo data_center;
  bool has_data_center = true;
  // leaseInfo as sent by the client; <= 0 means the default (30 / 90).
  std::int32_t renewal_interval_secs = kDefaultRenewalIntervalSecs;
  std::int32_t duration_secs = kDefaultLeaseDurationSecs;
  CompactStringMap metadata;
  CompactString home_page_url;
  CompactString status_page_url;
  CompactString health_check_url;
  CompactString secure_health_check_url;
  CompactString vip_address;
  CompactString secure_vip_address;
  bool is_coordinating_discovery_server = false;
  TimestampMs last_updated_timestamp = 0;
  TimestampMs last_dirty_timestamp = 0;
  CompactString asg_name;

  // The registry key (E1 "effective id"): instanceId if non-empty, else the
  // Amazon instance-id, else hostName. A view of this info's own field: valid
  // while the info is neither changed nor moved (a registration asks for it
  // several times, and a copy of a real id is past the inline buffer).
  std::string_view EffectiveId() const;
  std::int32_t EffectiveDurationSecs() const {
    return duration_secs > 0 ? duration_secs : kDefaultLeaseDurationSecs;
  }
  std::int32_t EffectiveRenewalIntervalSecs() const {
    return renewal_interval_secs > 0 ? renewal_interval_secs : kDefaultRenewalIntervalSecs;
  }
  bool operator==(const InstanceInfo&) const = default;
};

// Lease timing as the registry keeps it (§4.1), with Logbook's Part A fix:
// last_renewal_timestamp is the real time of the last renewal and the lease
// expires at last_renewal + duration.
struct Lease {
  TimestampMs registration_timestamp = 0;
  TimestampMs last_renewal_timestamp = 0;
  TimestampMs eviction_timestamp = 0;
  TimestampMs service_up_timestamp = 0;
  std::int64_t duration_ms = kDefaultLeaseDurationSecs * 1000LL;

  TimestampMs ExpiresAt() const { return last_renewal_timestamp + duration_ms; }
  // Strictly after one duration: eureka-protocol.md Part A, §4.6.
  bool IsExpired(TimestampMs now_ms, std::int64_t extra_ms = 0) const {
    return eviction_timestamp > 0 || now_ms > ExpiresAt() + extra_ms;
  }
  bool operator==(const Lease&) const = default;
};

// One registered instance: what GET /apps shows for it.
struct InstanceRecord {
  InstanceInfo info;
  Lease lease;
  ActionType action_type = ActionType::kAdded;
  Offset last_change_offset = kNoOffset;  // event that last changed info (not renewals)
  bool operator==(const InstanceRecord&) const = default;
};

// Points values that every instance repeats and that are too long to be
// inline (the data center classes) at static text, so that a registry keeps
// one copy of them instead of one per instance. The value is unchanged.
void ShareKnownValues(InstanceInfo& info);
// What ShareKnownValues leaves in data_center.class_name for `class_name`:
// the static copy of a known class, else the text itself. For decoders, so
// that a record read from disk never allocates its own copy first.
CompactString SharedDataCenterClass(std::string_view class_name);

// True for ids, app names and VIPs we accept: non-empty, valid UTF-8, no
// control characters (they end up in logs, the dashboard and the audit history).
bool IsValidName(std::string_view name);

std::string ToUpperAscii(std::string_view text);
void ToUpperAsciiInPlace(std::string& text);

}  // namespace logbook::core
