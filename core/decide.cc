#include "core/decide.h"

#include <utility>

#include "core/status_override_rules.h"

namespace logbook::core {
namespace {

Event NewEvent(EventType type, std::string app, std::string instance_id,
               const DecideContext& context) {
  Event event;
  event.type = type;
  event.timestamp_ms = context.now_ms;
  event.source = context.source;
  event.app = std::move(app);
  event.instance_id = std::move(instance_id);
  return event;
}

Decision Reject(Outcome outcome, std::string reason) {
  Decision decision;
  decision.outcome = outcome;
  decision.reason = std::move(reason);
  return decision;
}

// §4.5 "instance by app and id": while lease expiration is enabled an expired
// lease is invisible, even though it is still listed until evicted.
bool IsVisible(const Lease& lease, const DecideContext& context) {
  return !context.lease_expiration_enabled || !lease.IsExpired(context.now_ms);
}

const InstanceRecord* FindVisible(const Registry& registry, std::string_view app,
                                  std::string_view instance_id, const DecideContext& context) {
  const InstanceRecord* record = registry.Find(app, instance_id);
  if (record == nullptr || !IsVisible(record->lease, context)) return nullptr;
  return record;
}

bool HasLowerAscii(std::string_view text) {
  for (char c : text) {
    if (c >= 'a' && c <= 'z') return true;
  }
  return false;
}

// The origin node id buffer of a handed-back event, emptied: the log fills
// in the id after the decision, and node ids are past std::string's inline
// buffer, so reusing it spares an allocation per write.
NodeId TakeOriginBuffer(std::vector<Event>& events) {
  NodeId origin_node;
  if (!events.empty()) {
    origin_node = std::move(events.front().origin_node);
    origin_node.clear();
  }
  return origin_node;
}

std::optional<InstanceStatus> StatusIfPresent(const InstanceRecord* record) {
  if (record == nullptr) return std::nullopt;
  return record->info.status;
}

}  // namespace

Decision DecideRegister(const Registry& registry, const RegisterCommand& command,
                        const DecideContext& context) {
  RegisterCommand copy = command;
  return DecideRegister(registry, std::move(copy), context);
}

Decision DecideRegister(const Registry& registry, RegisterCommand&& command,
                        const DecideContext& context) {
  return DecideRegister(registry, std::move(command), context, std::vector<Event>());
}

Decision DecideRegister(const Registry& registry, RegisterCommand&& command,
                        const DecideContext& context, std::vector<Event>&& events) {
  NodeId origin_node = TakeOriginBuffer(events);
  InstanceInfo registrant = std::move(command.instance);
  // §1.1: application names are upper-cased before any lookup. net/ already
  // does it; repeating it here keeps the registry key right for every caller
  // (in place, and the group only when it needs it: no copies).
  ToUpperAsciiInPlace(registrant.app);
  if (registrant.app_group_name.has_value() && HasLowerAscii(*registrant.app_group_name)) {
    registrant.app_group_name = ToUpperAscii(*registrant.app_group_name);
  }
  // A copy: the registrant changes below (and may be replaced by the stored copy).
  std::string instance_id(registrant.EffectiveId());
  // E1 step 2: an Amazon data center without instance-id gets the effective id.
  if (registrant.data_center.IsAmazon()) {
    CompactString& amazon_id = registrant.data_center.metadata["instance-id"];
    if (amazon_id.empty()) amazon_id = instance_id;
  }

  // §4.2 step 1 looks at any lease, expired or not.
  const InstanceRecord* existing = registry.Find(registrant.app, instance_id);
  // §4.2 step 2: a registrant older than the stored copy is discarded (quirk
  // 18); a tie goes to the registrant.
  if (existing != nullptr &&
      existing->info.last_dirty_timestamp > registrant.last_dirty_timestamp) {
    registrant = existing->info;
  }

  // §4.2 step 4: the registrant's override is only a default for the map.
  std::optional<InstanceStatus> override_status = registry.OverrideFor(instance_id);
  if (!override_status.has_value() && registrant.overridden_status != InstanceStatus::kUnknown) {
    override_status = registrant.overridden_status;
  }
  if (override_status.has_value()) registrant.overridden_status = *override_status;

  // §4.2 step 5, rule 3 judged by the lease being replaced.
  registrant.status = EffectiveStatus(registrant.status, override_status, StatusIfPresent(existing),
                                      command.is_replication);

  Decision decision;
  decision.events = std::move(events);
  decision.events.clear();
  Event event = NewEvent(EventType::kRegister, registrant.app, std::move(instance_id), context);
  event.origin_node = std::move(origin_node);
  event.instance = std::move(registrant);
  decision.events.push_back(std::move(event));
  return decision;
}

Decision DecideRenew(const Registry& registry, const RenewCommand& command,
                     const DecideContext& context) {
  return DecideRenew(registry, command, context, std::vector<Event>());
}

Decision DecideRenew(const Registry& registry, const RenewCommand& command,
                     const DecideContext& context, std::vector<Event>&& events) {
  // The previous renewal's event, handed back with its vector: its strings'
  // buffers take this one's names and, once appended, the origin node id, so
  // none of them allocates.
  std::string app;
  std::string instance_id;
  if (!events.empty()) {
    app = std::move(events.front().app);
    instance_id = std::move(events.front().instance_id);
  }
  NodeId origin_node = TakeOriginBuffer(events);
  app.assign(command.app);
  ToUpperAsciiInPlace(app);
  // E2 step 1: any lease, expired or not, can be renewed.
  const InstanceRecord* record = registry.Find(app, command.instance_id);
  if (record == nullptr) return Reject(Outcome::kNotFound, "instance not registered");

  // E2 step 2: the chain against the lease itself.
  const InstanceStatus stored_status = record->info.status;
  const InstanceStatus effective =
      EffectiveStatus(stored_status, registry.OverrideFor(command.instance_id), stored_status,
                      command.is_replication);
  if (effective == InstanceStatus::kUnknown) {
    // Typically after an override was deleted without a value: the 404 makes
    // the client re-register, and its own status wins again (E5).
    return Reject(Outcome::kNotFound, "instance status is UNKNOWN, re-register");
  }

  Decision decision;
  decision.events = std::move(events);
  decision.events.clear();
  instance_id.assign(command.instance_id);
  Event renew = NewEvent(EventType::kRenew, std::move(app), std::move(instance_id), context);
  renew.origin_node = std::move(origin_node);
  if (effective != stored_status) renew.renew_status = effective;

  // E2 step 4 runs after the renewal (step 3), so its lookup (which hides
  // expired leases while expiration is enabled) sees the renewed lease, and a
  // lease that had expired gets the same 404/409 as a live one, as in Eureka.
  // The record is copied only for a 409's body: a renewal is the hot path.
  Lease renewed_lease = record->lease;
  renewed_lease.last_renewal_timestamp = context.now_ms;
  if (command.last_dirty_timestamp.has_value() && IsVisible(renewed_lease, context)) {
    const TimestampMs stored_dirty = record->info.last_dirty_timestamp;
    if (*command.last_dirty_timestamp > stored_dirty) {
      // The caller has newer data than we do: make it register again.
      if (command.is_replication && command.overridden_status.has_value() &&
          *command.overridden_status != InstanceStatus::kUnknown) {
        renew.override_to_store = *command.overridden_status;
      }
      decision.outcome = Outcome::kNotFound;
      decision.reason = "lastDirtyTimestamp is newer than the registry's copy";
    } else if (*command.last_dirty_timestamp < stored_dirty && command.is_replication) {
      // The peer is behind: it adopts the copy sent with the 409.
      decision.outcome = Outcome::kConflict;
      decision.reason = "lastDirtyTimestamp is older than the registry's copy";
      InstanceRecord& renewed = decision.conflict_instance.emplace(*record);
      renewed.lease = renewed_lease;
      renewed.info.status = effective;
    }
  }
  decision.events.push_back(std::move(renew));
  return decision;
}

Decision DecideCancel(const Registry& registry, const CancelCommand& command,
                      const DecideContext& context) {
  const std::string app = ToUpperAscii(command.app);
  Decision decision;
  if (registry.Find(app, command.instance_id) == nullptr) {
    decision = Reject(Outcome::kNotFound, "instance not registered");
    // E3 removes the override even without a lease; only an event can.
    if (!registry.OverrideFor(command.instance_id).has_value()) return decision;
  }
  decision.events.push_back(NewEvent(EventType::kCancel, app, command.instance_id, context));
  return decision;
}

Decision DecideStatusUpdate(const Registry& registry, const StatusUpdateCommand& command,
                            const DecideContext& context) {
  const std::string app = ToUpperAscii(command.app);
  if (FindVisible(registry, app, command.instance_id, context) == nullptr) {
    return Reject(Outcome::kNotFound, "instance not found");
  }
  // Always an event, even when the status is already `value`: the lease is
  // renewed either way (E4 step 3); Apply decides whether anything else moves.
  Decision decision;
  Event event = NewEvent(EventType::kStatusUpdate, app, command.instance_id, context);
  event.status = command.value;
  event.last_dirty_timestamp = command.last_dirty_timestamp.value_or(0);
  decision.events.push_back(std::move(event));
  return decision;
}

Decision DecideDeleteStatusOverride(const Registry& registry,
                                    const DeleteStatusOverrideCommand& command,
                                    const DecideContext& context) {
  const std::string app = ToUpperAscii(command.app);
  if (FindVisible(registry, app, command.instance_id, context) == nullptr) {
    return Reject(Outcome::kNotFound, "instance not found");
  }
  Decision decision;
  Event event = NewEvent(EventType::kDeleteStatusOverride, app, command.instance_id, context);
  // E5 step 2: no value means UNKNOWN, which forces a re-register on the next
  // heartbeat.
  event.status = command.value.value_or(InstanceStatus::kUnknown);
  event.last_dirty_timestamp = command.last_dirty_timestamp.value_or(0);
  decision.events.push_back(std::move(event));
  return decision;
}

Decision DecideMetadataUpdate(const Registry& registry, const MetadataUpdateCommand& command,
                              const DecideContext& context) {
  const std::string app = ToUpperAscii(command.app);
  if (FindVisible(registry, app, command.instance_id, context) == nullptr) {
    return Reject(Outcome::kNotFound, "instance not found");
  }
  Decision decision;
  Event event = NewEvent(EventType::kMetadataUpdate, app, command.instance_id, context);
  event.metadata = command.metadata;
  decision.events.push_back(std::move(event));
  return decision;
}

}  // namespace logbook::core
