#pragma once
// Decision functions: (current registry, validated command, now) -> events to
// append plus the protocol outcome. They never mutate anything; the caller
// appends the events and applies them (ARCHITECTURE.md §2).
#include <optional>
#include <string>
#include <vector>

#include "core/command.h"
#include "core/event.h"
#include "core/registry.h"

namespace logbook::core {

// What the client is told. net/error_response maps it to HTTP.
enum class Outcome {
  kOk,          // 200 (204 for register: the handler knows)
  kNotFound,    // 404
  kConflict,    // 409 with conflict_instance as the body (replicated renew)
};

struct Decision {
  // May be non-empty even when outcome != kOk: E2 renews the lease before it
  // answers 404/409 on a lastDirtyTimestamp mismatch.
  std::vector<Event> events;
  Outcome outcome = Outcome::kOk;
  std::string reason;  // short human text for non-OK outcomes
  std::optional<InstanceRecord> conflict_instance;
};

struct DecideContext {
  TimestampMs now_ms = 0;
  // §6.1: when true, lookups for E4/E5/E6 exclude expired leases.
  bool lease_expiration_enabled = true;
  EventSource source = EventSource::kClient;
};

Decision DecideRegister(const Registry& registry, const RegisterCommand& command,
                        const DecideContext& context);
// The same, moving the registrant into the event instead of copying it.
Decision DecideRegister(const Registry& registry, RegisterCommand&& command,
                        const DecideContext& context);
// The same, carrying its event in `events` (cleared first), as DecideRenew()
// does: a handed-back vector and its first event's origin node id buffer
// serve again.
Decision DecideRegister(const Registry& registry, RegisterCommand&& command,
                        const DecideContext& context, std::vector<Event>&& events);
Decision DecideRenew(const Registry& registry, const RenewCommand& command,
                     const DecideContext& context);
// DecideRenew() that carries its event in `events` (cleared first): a caller
// that hands back the vector of an earlier decision, its events still in it,
// decides a renewal without allocating: neither the vector nor the event's
// strings (whose buffers the first event lends, origin node id included).
Decision DecideRenew(const Registry& registry, const RenewCommand& command,
                     const DecideContext& context, std::vector<Event>&& events);
Decision DecideCancel(const Registry& registry, const CancelCommand& command,
                      const DecideContext& context);
Decision DecideStatusUpdate(const Registry& registry, const StatusUpdateCommand& command,
                            const DecideContext& context);
Decision DecideDeleteStatusOverride(const Registry& registry,
                                    const DeleteStatusOverrideCommand& command,
                                    const DecideContext& context);
Decision DecideMetadataUpdate(const Registry& registry, const MetadataUpdateCommand& command,
                              const DecideContext& context);

}  // namespace logbook::core
