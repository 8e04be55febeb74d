#include "storage/event_codec.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status.h"
#include "storage/codec_primitives.h"

// The byte layout implemented here is docs/log-format.md, "Event values".
// Keep the two in step, and the golden bytes in tests/storage/event_codec_test.cc.

namespace logbook::storage {
namespace {

using core::Event;
using core::EventSource;
using core::EventType;
using core::InstanceInfo;
using core::InstanceStatus;
using codec::Crc32;
using codec::Decoder;
using codec::DecodeInstanceInfo;
using codec::EncodeInstanceInfo;
using codec::Encoder;
using codec::GetFixed32LittleEndian;
using codec::kChecksumSize;
using codec::PutFixed32LittleEndian;
using codec::View;

// Event field mask bits (docs/log-format.md). A set bit means the field
// differs from its default and its bytes follow, in bit order.
constexpr std::uint64_t kEventHasInstance = 1u << 0;
constexpr std::uint64_t kEventHasRenewStatus = 1u << 1;
constexpr std::uint64_t kEventHasOverrideToStore = 1u << 2;
constexpr std::uint64_t kEventNotCountedAsRenewal = 1u << 3;
constexpr std::uint64_t kEventHasStatus = 1u << 4;
constexpr std::uint64_t kEventHasLastDirtyTimestamp = 1u << 5;
constexpr std::uint64_t kEventHasMetadata = 1u << 6;
constexpr std::uint64_t kEventHasEvictReason = 1u << 7;
constexpr std::uint64_t kEventHasExpectedClients = 1u << 8;
constexpr std::uint64_t kEventHasRecord = 1u << 9;
constexpr std::uint64_t kEventKnownBits = (1u << 10) - 1;

// ---------------------------------------------------------------- encoding

void EncodeBody(const Event& event, Encoder& enc) {
  std::uint64_t mask = 0;
  if (event.instance.has_value()) mask |= kEventHasInstance;
  if (event.renew_status.has_value()) mask |= kEventHasRenewStatus;
  if (event.override_to_store.has_value()) mask |= kEventHasOverrideToStore;
  if (!event.counts_as_renewal) mask |= kEventNotCountedAsRenewal;
  if (event.status != InstanceStatus::kUnknown) mask |= kEventHasStatus;
  if (event.last_dirty_timestamp != 0) mask |= kEventHasLastDirtyTimestamp;
  if (!event.metadata.empty()) mask |= kEventHasMetadata;
  if (event.evict_reason != core::EvictReason{}) mask |= kEventHasEvictReason;
  if (event.expected_clients != 0) mask |= kEventHasExpectedClients;
  if (event.record.has_value()) mask |= kEventHasRecord;

  enc.Varint(mask);
  enc.Signed(event.timestamp_ms);
  enc.String(event.origin_node);
  enc.Varint(event.origin_offset);
  enc.Byte(static_cast<std::uint8_t>(event.type));
  enc.Byte(static_cast<std::uint8_t>(event.source));
  enc.String(event.app);
  enc.String(event.instance_id);
  if (mask & kEventHasInstance) EncodeInstanceInfo(*event.instance, enc);
  if (mask & kEventHasRenewStatus) enc.Status(*event.renew_status);
  if (mask & kEventHasOverrideToStore) enc.Status(*event.override_to_store);
  if (mask & kEventHasStatus) enc.Status(event.status);
  if (mask & kEventHasLastDirtyTimestamp) enc.Signed(event.last_dirty_timestamp);
  if (mask & kEventHasMetadata) enc.Map(event.metadata);
  if (mask & kEventHasEvictReason) {
    const core::EvictReason& reason = event.evict_reason;
    enc.Signed(reason.lease_expired_at_ms);
    enc.Signed(reason.renews_last_min);
    enc.Signed(reason.renews_threshold);
    enc.Byte(reason.self_preservation_enabled ? 1 : 0);
    enc.Varint(reason.expired_count);
    enc.Varint(reason.eviction_cap);
    enc.Varint(reason.registry_size);
  }
  if (mask & kEventHasExpectedClients) enc.Signed(event.expected_clients);
  if (mask & kEventHasRecord) codec::EncodeInstanceRecord(*event.record, enc);
}

// ---------------------------------------------------------------- decoding

bool DecodeBody(Decoder& dec, Event* event) {
  std::uint64_t mask = 0;
  if (!dec.Varint("field_mask", &mask)) return false;
  if (mask & ~kEventKnownBits) {
    return dec.Fail("field_mask", absl::StrFormat("unknown bits 0x%x", mask));
  }
  dec.Signed64("timestamp_ms", &event->timestamp_ms);
  dec.String("origin_node", &event->origin_node);
  dec.Varint("origin_offset", &event->origin_offset);
  std::uint8_t type = 0;
  if (dec.Byte("type", &type) &&
      (type < static_cast<std::uint8_t>(EventType::kRegister) ||
       type > static_cast<std::uint8_t>(EventType::kInstanceSet))) {
    return dec.Fail("type", absl::StrCat("unknown event type ", static_cast<int>(type)));
  }
  event->type = static_cast<EventType>(type);
  std::uint8_t source = 0;
  if (dec.Byte("source", &source) && source > static_cast<std::uint8_t>(EventSource::kSystem)) {
    return dec.Fail("source", absl::StrCat("unknown event source ", static_cast<int>(source)));
  }
  event->source = static_cast<EventSource>(source);
  dec.String("app", &event->app);
  dec.String("instance_id", &event->instance_id);
  if (mask & kEventHasInstance) {
    event->instance.emplace();
    if (!DecodeInstanceInfo(dec, &*event->instance)) return false;
  }
  if (mask & kEventHasRenewStatus) dec.Status("renew_status", &event->renew_status.emplace());
  if (mask & kEventHasOverrideToStore) {
    dec.Status("override_to_store", &event->override_to_store.emplace());
  }
  event->counts_as_renewal = (mask & kEventNotCountedAsRenewal) == 0;
  if (mask & kEventHasStatus) dec.Status("status", &event->status);
  if (mask & kEventHasLastDirtyTimestamp) {
    dec.Signed64("last_dirty_timestamp", &event->last_dirty_timestamp);
  }
  if (mask & kEventHasMetadata) dec.Map("metadata", &event->metadata);
  if (mask & kEventHasEvictReason) {
    core::EvictReason& reason = event->evict_reason;
    dec.Signed64("evict_reason.lease_expired_at_ms", &reason.lease_expired_at_ms);
    dec.Signed64("evict_reason.renews_last_min", &reason.renews_last_min);
    dec.Signed64("evict_reason.renews_threshold", &reason.renews_threshold);
    dec.Bool("evict_reason.self_preservation_enabled", &reason.self_preservation_enabled);
    dec.Unsigned32("evict_reason.expired_count", &reason.expired_count);
    dec.Unsigned32("evict_reason.eviction_cap", &reason.eviction_cap);
    dec.Unsigned32("evict_reason.registry_size", &reason.registry_size);
  }
  if (mask & kEventHasExpectedClients) dec.Signed64("expected_clients", &event->expected_clients);
  if (mask & kEventHasRecord) {
    // Only INSTANCE_SET carries one, keyed by the event's own app and id:
    // the registry applies it under that key.
    if (event->type != EventType::kInstanceSet) {
      return dec.Fail("record", "only INSTANCE_SET carries a record");
    }
    if (!codec::DecodeInstanceRecord(dec, &event->record.emplace())) return false;
    if (event->record->info.app != event->app ||
        event->record->info.EffectiveId() != event->instance_id) {
      return dec.Fail("record", "keyed by another app or instance id than the event");
    }
  }
  return dec.ok();
}

absl::Status Damaged(core::Offset offset, std::string_view what) {
  return absl::DataLossError(absl::StrCat("event at offset ", offset, ": ", View(what)));
}

}  // namespace

void EncodeEvent(const core::Event& event, std::string* out) {
  // Reused per thread: every append encodes, and a renewal's event must not
  // cost an allocation for its temporary body.
  thread_local std::string body;
  body.clear();
  Encoder body_encoder(&body);
  EncodeBody(event, body_encoder);

  const std::size_t start = out->size();
  // Version byte, the length as a varint (at most 10 bytes), body, CRC.
  out->reserve(start + 1 + 10 + body.size() + 4);
  Encoder encoder(out);
  encoder.Byte(kEventFormatVersion);
  encoder.Varint(body.size());
  out->append(body);
  const std::string_view covered(out->data() + start, out->size() - start);
  PutFixed32LittleEndian(Crc32(covered), out);
}

namespace {

// The body of an event value once its envelope checks out (docs/log-format.md).
absl::StatusOr<std::string_view> CheckedBody(std::string_view bytes, core::Offset offset) {
  // The envelope (version, body length, body, CRC) is the same for every
  // format version, so damage is told apart from a newer writer: a flipped
  // version byte fails the checksum, a real unknown version passes it.
  Decoder envelope(bytes);
  std::uint8_t version = 0;
  std::uint64_t body_length = 0;
  if (!envelope.Byte("version", &version) || !envelope.Varint("body length", &body_length)) {
    return Damaged(offset, absl::StrCat("truncated record (", bytes.size(), " bytes)"));
  }
  const std::size_t header_length = bytes.size() - envelope.remaining();
  if (envelope.remaining() < kChecksumSize || body_length > envelope.remaining() - kChecksumSize) {
    return Damaged(offset, absl::StrCat("truncated record (", bytes.size(), " bytes, body length ",
                                        body_length, ")"));
  }
  const std::size_t covered_length = header_length + body_length;
  if (covered_length + kChecksumSize != bytes.size()) {
    return Damaged(offset, absl::StrCat(bytes.size() - covered_length - kChecksumSize,
                                        " trailing bytes after the checksum"));
  }
  const std::uint32_t stored = GetFixed32LittleEndian(bytes.substr(covered_length));
  const std::uint32_t computed = Crc32(bytes.substr(0, covered_length));
  if (stored != computed) {
    return Damaged(offset, absl::StrFormat("checksum mismatch (stored 0x%08x, computed 0x%08x)",
                                           stored, computed));
  }
  if (version != kEventFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event at offset ", offset, ": unknown format version ", static_cast<int>(version),
        " (this build reads version ", static_cast<int>(kEventFormatVersion), ")"));
  }
  return bytes.substr(header_length, body_length);
}

}  // namespace

absl::StatusOr<core::EventOrigin> PeekEventOrigin(std::string_view bytes, core::Offset offset) {
  ASSIGN_OR_RETURN(const std::string_view body_bytes, CheckedBody(bytes, offset));
  Decoder body(body_bytes);
  std::uint64_t mask = 0;
  std::int64_t timestamp_ms = 0;
  core::EventOrigin origin;
  if (!body.Varint("field_mask", &mask) || !body.Signed64("timestamp_ms", &timestamp_ms) ||
      !body.StringView("origin_node", &origin.node) ||
      !body.Varint("origin_offset", &origin.offset)) {
    return Damaged(offset, absl::StrCat("garbled body: ", body.error()));
  }
  return origin;
}

absl::Status DecodeEventInto(std::string_view bytes, core::Offset offset, core::Event* event) {
  ASSIGN_OR_RETURN(const std::string_view body_bytes, CheckedBody(bytes, offset));
  {
    // A fresh event but for the three strings' buffers (moved out and back:
    // a move keeps the heap buffer), so no field of the previous one leaks.
    std::string app = std::move(event->app);
    std::string instance_id = std::move(event->instance_id);
    core::NodeId origin_node = std::move(event->origin_node);
    *event = core::Event{};
    event->app = std::move(app);
    event->instance_id = std::move(instance_id);
    event->origin_node = std::move(origin_node);
  }
  event->offset = offset;
  Decoder body(body_bytes);
  if (!DecodeBody(body, event)) {
    return Damaged(offset, absl::StrCat("garbled body: ", body.error()));
  }
  if (!body.at_end()) {
    return Damaged(offset, absl::StrCat("garbled body: ", body.remaining(), " unread bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<core::Event> DecodeEvent(std::string_view bytes, core::Offset offset) {
  core::Event event;
  RETURN_IF_ERROR(DecodeEventInto(bytes, offset, &event));
  return event;
}

}  // namespace logbook::storage
