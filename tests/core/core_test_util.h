#pragma once
// Builders and a decide -> append -> apply harness for core tests. The
// harness plays the journal's part: sequential offsets, then Apply, exactly
// the write path of ARCHITECTURE.md §2 without the disk.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/command.h"
#include "core/decide.h"
#include "core/event.h"
#include "core/instance.h"
#include "core/registry.h"

namespace logbook::core::testing {

// A minimal valid registrant, like the conformance checklist's R(app, id, host, ip)
// (vipAddress "orders-vip", lastDirtyTimestamp 1000).
inline InstanceInfo MakeInstance(std::string app, std::string instance_id,
                                 InstanceStatus status = InstanceStatus::kUp,
                                 TimestampMs last_dirty_ms = 1000) {
  InstanceInfo info;
  info.instance_id = instance_id;
  info.host_name = "host-" + instance_id;
  info.app = std::move(app);
  info.ip_addr = "10.0.0.1";
  info.status = status;
  info.port = PortInfo{8080, true};
  info.secure_port = PortInfo{443, false};
  info.vip_address = "orders-vip";
  info.last_dirty_timestamp = last_dirty_ms;
  info.last_updated_timestamp = last_dirty_ms;
  return info;
}

inline DecideContext Context(TimestampMs now_ms, bool lease_expiration_enabled = true) {
  DecideContext context;
  context.now_ms = now_ms;
  context.lease_expiration_enabled = lease_expiration_enabled;
  return context;
}

class Harness {
 public:
  explicit Harness(RegistryOptions options = {}) : registry_(options) {}

  const Registry& registry() const { return registry_; }
  const std::vector<Event>& log() const { return log_; }

  // Appends and applies whatever the decision produced, then returns it.
  Decision Commit(Decision decision) {
    for (Event& event : decision.events) Append(event);
    return decision;
  }
  void Append(Event event) {
    event.offset = ++last_offset_;
    registry_.Apply(event);
    log_.push_back(std::move(event));
  }

  Decision Register(InstanceInfo instance, TimestampMs now_ms, bool is_replication = false) {
    RegisterCommand command{std::move(instance), is_replication};
    return Commit(DecideRegister(registry_, command, Context(now_ms)));
  }
  Decision Renew(std::string app, std::string instance_id, TimestampMs now_ms,
                 std::optional<TimestampMs> last_dirty_ms = std::nullopt,
                 bool is_replication = false,
                 std::optional<InstanceStatus> overridden_status = std::nullopt) {
    RenewCommand command{std::move(app), std::move(instance_id), last_dirty_ms, overridden_status,
                         is_replication};
    return Commit(DecideRenew(registry_, command, Context(now_ms)));
  }
  Decision Cancel(std::string app, std::string instance_id, TimestampMs now_ms) {
    CancelCommand command{std::move(app), std::move(instance_id), false};
    return Commit(DecideCancel(registry_, command, Context(now_ms)));
  }
  Decision SetStatus(std::string app, std::string instance_id, InstanceStatus value,
                     TimestampMs now_ms, std::optional<TimestampMs> last_dirty_ms = std::nullopt,
                     bool is_replication = false) {
    StatusUpdateCommand command{std::move(app), std::move(instance_id), value, last_dirty_ms,
                                is_replication};
    return Commit(DecideStatusUpdate(registry_, command, Context(now_ms)));
  }
  Decision DeleteOverride(std::string app, std::string instance_id, TimestampMs now_ms,
                          std::optional<InstanceStatus> value = std::nullopt,
                          std::optional<TimestampMs> last_dirty_ms = std::nullopt,
                          bool is_replication = false) {
    DeleteStatusOverrideCommand command{std::move(app), std::move(instance_id), value,
                                        last_dirty_ms, is_replication};
    return Commit(DecideDeleteStatusOverride(registry_, command, Context(now_ms)));
  }
  Decision UpdateMetadata(std::string app, std::string instance_id,
                          std::map<std::string, std::string> metadata, TimestampMs now_ms) {
    MetadataUpdateCommand command{std::move(app), std::move(instance_id), std::move(metadata)};
    return Commit(DecideMetadataUpdate(registry_, command, Context(now_ms)));
  }

  const InstanceRecord* Find(std::string_view app, std::string_view instance_id) const {
    return registry_.Find(app, instance_id);
  }

 private:
  Registry registry_;
  std::vector<Event> log_;
  Offset last_offset_ = kNoOffset;
};

}  // namespace logbook::core::testing
