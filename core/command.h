#pragma once
// Validated client intents (one per Eureka write endpoint). net/ builds them
// from requests; Decide() turns them into events or a rejection.
#include <map>
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/instance.h"

namespace logbook::core {

struct RegisterCommand {  // E1 (and batch Register)
  InstanceInfo instance;  // validated, app upper-case, effective id resolvable
  bool is_replication = false;
};

struct RenewCommand {  // E2 (and batch Heartbeat)
  std::string app;
  std::string instance_id;
  std::optional<TimestampMs> last_dirty_timestamp;
  std::optional<InstanceStatus> overridden_status;  // replication only
  bool is_replication = false;
};

struct CancelCommand {  // E3
  std::string app;
  std::string instance_id;
  bool is_replication = false;
};

struct StatusUpdateCommand {  // E4
  std::string app;
  std::string instance_id;
  InstanceStatus value = InstanceStatus::kUnknown;
  std::optional<TimestampMs> last_dirty_timestamp;
  bool is_replication = false;
};

struct DeleteStatusOverrideCommand {  // E5
  std::string app;
  std::string instance_id;
  std::optional<InstanceStatus> value;  // absent = UNKNOWN
  std::optional<TimestampMs> last_dirty_timestamp;
  bool is_replication = false;
};

struct MetadataUpdateCommand {  // E6
  std::string app;
  std::string instance_id;
  std::map<std::string, std::string> metadata;
};

}  // namespace logbook::core
