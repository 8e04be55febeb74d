#pragma once
// The scripted audit scenario shared by the audit and retention tests.
// Header-only (the test glob builds only *_test.cc files).
#include <string>
#include <vector>

#include "core/event.h"

namespace logbook::storage::testing {

inline core::Event AuditEvent(core::EventType type, const std::string& app,
                              const std::string& instance_id, core::TimestampMs timestamp_ms) {
  core::Event event;
  event.type = type;
  event.app = app;
  event.instance_id = instance_id;
  event.timestamp_ms = timestamp_ms;
  return event;
}

inline core::Event RegisterEvent(const std::string& app, const std::string& instance_id,
                                 core::InstanceStatus status, core::TimestampMs timestamp_ms) {
  core::Event event = AuditEvent(core::EventType::kRegister, app, instance_id, timestamp_ms);
  core::InstanceInfo info;
  info.instance_id = instance_id;
  info.app = app;
  info.host_name = instance_id + ".example.com";
  info.ip_addr = "10.0.0.1";
  info.status = status;
  event.instance = info;
  return event;
}

// Offsets 1..12 on a fresh log:
//  1 REGISTER ORDERS/i-1 UP        (t=1000)
//  2 RENEW ORDERS/i-1              (t=1100)
//  3 STATUS_UPDATE i-1 OUT_OF_SERVICE (t=2000)
//  4 REGISTER ORDERS/i-2           (t=2100)
//  5 DELETE_STATUS_OVERRIDE i-1 -> UP (t=3000)
//  6 METADATA_UPDATE i-1 zone=b    (t=4000)
//  7 CANCEL i-1                    (t=5000)
//  8 REGISTER ORDERS/i-1 STARTING  (t=6000)
//  9 RENEW ORDERS/i-1              (t=6500)
// 10 EVICT ORDERS/i-1              (t=7000, lease expired at 6900)
// 11 RENEWAL_THRESHOLD_UPDATE      (t=7100, no app)
// 12 REGISTER PAYMENTS/i-1         (t=7200)
inline std::vector<core::Event> ScriptedScenario() {
  using core::EventType;
  std::vector<core::Event> events;
  events.push_back(RegisterEvent("ORDERS", "i-1", core::InstanceStatus::kUp, 1000));
  events.push_back(AuditEvent(EventType::kRenew, "ORDERS", "i-1", 1100));
  core::Event status = AuditEvent(EventType::kStatusUpdate, "ORDERS", "i-1", 2000);
  status.status = core::InstanceStatus::kOutOfService;
  status.last_dirty_timestamp = 1999;
  events.push_back(status);
  events.push_back(RegisterEvent("ORDERS", "i-2", core::InstanceStatus::kUp, 2100));
  core::Event remove = AuditEvent(EventType::kDeleteStatusOverride, "ORDERS", "i-1", 3000);
  remove.status = core::InstanceStatus::kUp;
  events.push_back(remove);
  core::Event metadata = AuditEvent(EventType::kMetadataUpdate, "ORDERS", "i-1", 4000);
  metadata.metadata = {{"zone", "b"}};
  events.push_back(metadata);
  events.push_back(AuditEvent(EventType::kCancel, "ORDERS", "i-1", 5000));
  events.push_back(RegisterEvent("ORDERS", "i-1", core::InstanceStatus::kStarting, 6000));
  events.push_back(AuditEvent(EventType::kRenew, "ORDERS", "i-1", 6500));
  core::Event evict = AuditEvent(EventType::kEvict, "ORDERS", "i-1", 7000);
  evict.source = core::EventSource::kEvictor;
  evict.evict_reason = {.lease_expired_at_ms = 6900,
                        .renews_last_min = 3,
                        .renews_threshold = 2,
                        .self_preservation_enabled = true,
                        .expired_count = 1,
                        .eviction_cap = 1,
                        .registry_size = 2};
  events.push_back(evict);
  core::Event threshold = AuditEvent(EventType::kRenewalThresholdUpdate, "", "", 7100);
  threshold.source = core::EventSource::kSystem;
  threshold.expected_clients = 2;
  events.push_back(threshold);
  events.push_back(RegisterEvent("PAYMENTS", "i-1", core::InstanceStatus::kUp, 7200));
  return events;
}

}  // namespace logbook::storage::testing
