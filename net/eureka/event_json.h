#pragma once
// One core::Event as the JSON object of GET /logbook/v1/events and
// /logbook/v1/history (logbook-interface.md): the common fields, then the
// fields of its type.
#include "core/audit_journal.h"
#include "core/event.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {

// "client", "eureka-peer", "evictor", "logbook-peer", "system".
std::string_view EventSourceName(core::EventSource source);

// Appends {"offset":..,"timestamp":..,"type":..,"app":..,"instance_id":..,
// "origin":..,"origin_offset":..,"source":.., <type fields>} to `writer`.
// REGISTER carries "instance" (the bare Eureka instance object, lease
// timestamps 0, no actionType); RENEW "status"/"override" when set;
// STATUS_UPDATE and DELETE_STATUS_OVERRIDE "status" and a non-zero
// "last_dirty_timestamp"; METADATA_UPDATE "metadata"; EVICT "reason";
// RENEWAL_THRESHOLD_UPDATE "expected_clients".
void WriteEventJson(const core::Event& event, JsonWriter& writer);
// The same members without the braces, for objects that add their own
// (/logbook/v1/history's "changes").
void WriteEventFields(const core::Event& event, JsonWriter& writer);
// One entry of /logbook/v1/history (also `logbook log history`): the event's
// fields plus "changes" (status before -> after, the override, metadata keys).
void WriteAuditEntryJson(const core::AuditEntry& entry, JsonWriter& writer);

}  // namespace logbook::net::eureka
