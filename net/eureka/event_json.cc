#include "net/eureka/event_json.h"

#include "net/eureka/eureka_json.h"

namespace logbook::net::eureka {

std::string_view EventSourceName(core::EventSource source) {
  switch (source) {
    case core::EventSource::kClient:
      return "client";
    case core::EventSource::kEurekaPeer:
      return "eureka-peer";
    case core::EventSource::kEvictor:
      return "evictor";
    case core::EventSource::kLogbookPeer:
      return "logbook-peer";
    case core::EventSource::kSystem:
      return "system";
  }
  return "unknown";
}

void WriteEventJson(const core::Event& event, JsonWriter& writer) {
  writer.BeginObject();
  WriteEventFields(event, writer);
  writer.EndObject();
}

void WriteEventFields(const core::Event& event, JsonWriter& writer) {
  writer.Key("offset");
  writer.Uint(event.offset);
  writer.Key("timestamp");
  writer.Int(event.timestamp_ms);
  writer.Key("type");
  writer.String(core::EventTypeName(event.type));
  writer.Key("app");
  writer.String(event.app);
  writer.Key("instance_id");
  writer.String(event.instance_id);
  writer.Key("origin");
  writer.String(event.origin_node);
  writer.Key("origin_offset");
  writer.Uint(event.origin_offset);
  writer.Key("source");
  writer.String(EventSourceName(event.source));

  switch (event.type) {
    case core::EventType::kRegister:
      if (event.instance.has_value()) {
        writer.Key("instance");
        // The event records what was registered, not a lease: timestamps 0.
        WriteInstanceObject(*event.instance, core::Lease{}, std::nullopt, writer);
      }
      break;
    case core::EventType::kRenew:
      if (event.renew_status.has_value()) {
        writer.Key("status");
        writer.String(core::StatusName(*event.renew_status));
      }
      if (event.override_to_store.has_value()) {
        writer.Key("override");
        writer.String(core::StatusName(*event.override_to_store));
      }
      break;
    case core::EventType::kStatusUpdate:
    case core::EventType::kDeleteStatusOverride:
      writer.Key("status");
      writer.String(core::StatusName(event.status));
      if (event.last_dirty_timestamp != 0) {
        writer.Key("last_dirty_timestamp");
        writer.Int(event.last_dirty_timestamp);
      }
      break;
    case core::EventType::kMetadataUpdate:
      writer.Key("metadata");
      writer.BeginObject();
      for (const auto& [key, value] : event.metadata) {
        writer.Key(key);
        writer.String(value);
      }
      writer.EndObject();
      break;
    case core::EventType::kEvict: {
      const core::EvictReason& reason = event.evict_reason;
      writer.Key("reason");
      writer.BeginObject();
      writer.Key("lease_expired_at");
      writer.Int(reason.lease_expired_at_ms);
      writer.Key("renews_last_min");
      writer.Int(reason.renews_last_min);
      writer.Key("renews_threshold");
      writer.Int(reason.renews_threshold);
      writer.Key("self_preservation_enabled");
      writer.Bool(reason.self_preservation_enabled);
      writer.Key("expired_count");
      writer.Uint(reason.expired_count);
      writer.Key("eviction_cap");
      writer.Uint(reason.eviction_cap);
      writer.Key("registry_size");
      writer.Uint(reason.registry_size);
      writer.EndObject();
      break;
    }
    case core::EventType::kRenewalThresholdUpdate:
      writer.Key("expected_clients");
      writer.Int(event.expected_clients);
      break;
    case core::EventType::kInstanceSet:
      // No record: the merge removed the instance.
      if (event.record.has_value()) {
        writer.Key("instance");
        WriteInstanceObject(event.record->info, event.record->lease, event.record->action_type,
                            writer);
      }
      writer.Key("override");
      if (event.override_to_store.has_value()) {
        writer.String(core::StatusName(*event.override_to_store));
      } else {
        writer.Null();
      }
      break;
    case core::EventType::kCancel:
      break;
  }
}

namespace {

void WriteStatusChange(std::optional<core::InstanceStatus> before, core::InstanceStatus after,
                       JsonWriter& w) {
  w.Key("status");
  w.BeginObject();
  w.Key("before");
  if (before.has_value()) {
    w.String(core::StatusName(*before));
  } else {
    w.Null();
  }
  w.Key("after");
  w.String(core::StatusName(after));
  w.EndObject();
}

// The "changes" member of a history entry: what the event changed, in the
// audit's terms (status before -> after, the override, metadata keys).
void WriteChanges(const core::AuditEntry& entry, JsonWriter& w) {
  const core::Event& event = entry.event;
  switch (event.type) {
    case core::EventType::kRegister:
      if (!event.instance.has_value()) return;
      w.Key("changes");
      w.BeginObject();
      WriteStatusChange(entry.status_before, event.instance->status, w);
      w.EndObject();
      return;
    case core::EventType::kStatusUpdate:
    case core::EventType::kDeleteStatusOverride:
      w.Key("changes");
      w.BeginObject();
      WriteStatusChange(entry.status_before, event.status, w);
      w.Key("override");
      if (event.type == core::EventType::kStatusUpdate) {
        w.String(core::StatusName(event.status));
      } else {
        w.Null();  // removed
      }
      w.EndObject();
      return;
    case core::EventType::kInstanceSet:
      if (!event.record.has_value()) return;  // a removal changes nothing more than CANCEL shows
      w.Key("changes");
      w.BeginObject();
      WriteStatusChange(entry.status_before, event.record->info.status, w);
      w.Key("override");
      if (event.override_to_store.has_value()) {
        w.String(core::StatusName(*event.override_to_store));
      } else {
        w.Null();
      }
      w.EndObject();
      return;
    case core::EventType::kMetadataUpdate:
      w.Key("changes");
      w.BeginObject();
      w.Key("metadata_keys");
      w.BeginArray();
      for (const auto& [key, value] : event.metadata) w.String(key);
      w.EndArray();
      w.EndObject();
      return;
    default:
      return;
  }
}

}  // namespace

void WriteAuditEntryJson(const core::AuditEntry& entry, JsonWriter& writer) {
  writer.BeginObject();
  WriteEventFields(entry.event, writer);
  WriteChanges(entry, writer);
  writer.EndObject();
}

}  // namespace logbook::net::eureka
