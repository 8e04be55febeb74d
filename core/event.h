#pragma once
// The event: the only way registry state changes (ARCHITECTURE.md §2).
// Decide() produces events with offset/origin unset; the journal assigns them;
// Registry::Apply() consumes them. The binary layout is docs/log-format.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/instance.h"

namespace logbook::core {

// Values are part of the on-disk format: never renumber.
enum class EventType : std::uint8_t {
  kRegister = 1,
  kRenew = 2,
  kCancel = 3,
  kEvict = 4,
  kStatusUpdate = 5,
  kDeleteStatusOverride = 6,
  kMetadataUpdate = 7,
  // Self-preservation's periodic reset of the expected renewing-client count
  // (eureka-protocol.md §6.2), logged so a restart restores it.
  kRenewalThresholdUpdate = 8,
  // One instance's full record set exactly, or removed when the event has
  // no record: what merging a peer's snapshot transfer decided
  // (docs/replication.md, "Merging a peer's snapshot"). REGISTER and RENEW
  // cannot reproduce a record's timestamps, lease and override exactly.
  kInstanceSet = 9,
};

// "REGISTER", "RENEW", ... as in logbook-interface.md.
std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);

// Where a write came from, kept for the audit history.
enum class EventSource : std::uint8_t {
  kClient = 0,        // a client request on this node
  kEurekaPeer = 1,    // Eureka replication traffic (header or /peerreplication/batch)
  kEvictor = 2,       // this node's eviction timer
  kLogbookPeer = 3,   // pulled from a Logbook peer (issue 5)
  kSystem = 4,        // timers such as the renewal-threshold update
};

// Why an instance was evicted: the evictor's view at decision time.
struct EvictReason {
  TimestampMs lease_expired_at_ms = 0;   // last renewal + lease duration
  std::int64_t renews_last_min = 0;
  std::int64_t renews_threshold = 0;
  bool self_preservation_enabled = false;
  std::uint32_t expired_count = 0;  // leases expired in this run
  std::uint32_t eviction_cap = 0;   // at most this many evicted per run (15 % rule)
  std::uint32_t registry_size = 0;
  bool operator==(const EvictReason&) const = default;
};

struct Event {
  Offset offset = kNoOffset;
  TimestampMs timestamp_ms = 0;
  NodeId origin_node;          // node that first logged it
  Offset origin_offset = kNoOffset;  // its offset in the origin's log
  EventType type = EventType::kRenew;
  EventSource source = EventSource::kClient;
  std::string app;             // upper-case
  std::string instance_id;     // effective id

  // REGISTER: the registrant as decided (status from the override rule chain,
  // overriddenStatus resolved against the override map, stale registrations
  // already replaced by the stored copy).
  std::optional<InstanceInfo> instance;

  // RENEW: the effective status recomputed by the rule chain when it differs
  // from the stored one (E2 step 2).
  std::optional<InstanceStatus> renew_status;
  // RENEW from a replication carrying overriddenstatus (E2 step 4).
  std::optional<InstanceStatus> override_to_store;
  // RENEW: false for renewals that do not count in renews-last-minute.
  bool counts_as_renewal = true;

  // STATUS_UPDATE: the new status (override value). DELETE_STATUS_OVERRIDE:
  // the status to fall back to (UNKNOWN when the request gave none).
  InstanceStatus status = InstanceStatus::kUnknown;
  // STATUS_UPDATE / DELETE_STATUS_OVERRIDE: the request's lastDirtyTimestamp,
  // adopted when newer than the stored one; 0 when absent.
  TimestampMs last_dirty_timestamp = 0;

  // METADATA_UPDATE: keys to put (existing keys overwritten, others kept).
  std::map<std::string, std::string> metadata;

  // EVICT.
  EvictReason evict_reason;

  // RENEWAL_THRESHOLD_UPDATE: the new expected number of renewing clients.
  std::int64_t expected_clients = 0;

  // INSTANCE_SET: the record to hold (its last_change_offset is replaced by
  // the event's offset when applied); nullopt removes the instance. Its
  // override-map entry is `override_to_store` (nullopt: none).
  std::optional<InstanceRecord> record;

  bool operator==(const Event&) const = default;
};

}  // namespace logbook::core
