#include "storage/event_codec.h"

#include <libdeflate.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

// The byte layout implemented here is docs/log-format.md, "Event values".
// Keep the two in step, and the golden bytes in tests/storage/event_codec_test.cc.

namespace logbook::storage {
namespace {

using core::Event;
using core::EventSource;
using core::EventType;
using core::InstanceInfo;
using core::InstanceStatus;
using StringMap = std::map<std::string, std::string>;

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
constexpr std::uint64_t kEventKnownBits = (1u << 9) - 1;

// InstanceInfo flag bits: bits 0..8 say which optional string is present
// (in kOptionalStrings order), bits 9..12 carry the booleans.
constexpr int kInstanceOptionalStringCount = 9;
constexpr std::uint64_t kInstancePortEnabled = 1u << 9;
constexpr std::uint64_t kInstanceSecurePortEnabled = 1u << 10;
constexpr std::uint64_t kInstanceHasDataCenter = 1u << 11;
constexpr std::uint64_t kInstanceIsCoordinatingDiscoveryServer = 1u << 12;
constexpr std::uint64_t kInstanceKnownBits = (1u << 13) - 1;

// The order of InstanceInfo's optional strings on disk: never reorder.
constexpr std::optional<std::string> InstanceInfo::*kOptionalStrings[kInstanceOptionalStringCount] =
    {
        &InstanceInfo::instance_id,      &InstanceInfo::app_group_name,
        &InstanceInfo::home_page_url,    &InstanceInfo::status_page_url,
        &InstanceInfo::health_check_url, &InstanceInfo::secure_health_check_url,
        &InstanceInfo::vip_address,      &InstanceInfo::secure_vip_address,
        &InstanceInfo::asg_name,
};

constexpr std::size_t kChecksumSize = 4;

// Debian's abseil has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0).
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// ---------------------------------------------------------------- encoding

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  void Byte(std::uint8_t value) { out_->push_back(static_cast<char>(value)); }
  void Varint(std::uint64_t value) {
    while (value >= 0x80) {
      Byte(static_cast<std::uint8_t>(value | 0x80));
      value >>= 7;
    }
    Byte(static_cast<std::uint8_t>(value));
  }
  // Zigzag keeps small negative numbers short: 0,-1,1,-2 -> 0,1,2,3.
  void Signed(std::int64_t value) {
    Varint((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
  }
  void String(std::string_view value) {
    Varint(value.size());
    out_->append(value);
  }
  void Map(const StringMap& map) {
    Varint(map.size());
    for (const auto& [key, value] : map) {
      String(key);
      String(value);
    }
  }
  void Status(InstanceStatus status) { Byte(static_cast<std::uint8_t>(status)); }

 private:
  std::string* out_;
};

void EncodeInstance(const InstanceInfo& info, Encoder& enc) {
  std::uint64_t flags = 0;
  for (int i = 0; i < kInstanceOptionalStringCount; ++i) {
    if ((info.*kOptionalStrings[i]).has_value()) flags |= std::uint64_t{1} << i;
  }
  if (info.port.enabled) flags |= kInstancePortEnabled;
  if (info.secure_port.enabled) flags |= kInstanceSecurePortEnabled;
  if (info.has_data_center) flags |= kInstanceHasDataCenter;
  if (info.is_coordinating_discovery_server) flags |= kInstanceIsCoordinatingDiscoveryServer;
  enc.Varint(flags);
  enc.String(info.host_name);
  enc.String(info.app);
  enc.String(info.ip_addr);
  enc.String(info.sid);
  enc.Status(info.status);
  enc.Status(info.overridden_status);
  enc.Signed(info.port.port);
  enc.Signed(info.secure_port.port);
  enc.Signed(info.country_id);
  enc.String(info.data_center.name);
  enc.String(info.data_center.class_name);
  enc.Map(info.data_center.metadata);
  enc.Signed(info.renewal_interval_secs);
  enc.Signed(info.duration_secs);
  enc.Map(info.metadata);
  enc.Signed(info.last_updated_timestamp);
  enc.Signed(info.last_dirty_timestamp);
  for (const auto field : kOptionalStrings) {
    if ((info.*field).has_value()) enc.String(*(info.*field));
  }
}

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

  enc.Varint(mask);
  enc.Signed(event.timestamp_ms);
  enc.String(event.origin_node);
  enc.Varint(event.origin_offset);
  enc.Byte(static_cast<std::uint8_t>(event.type));
  enc.Byte(static_cast<std::uint8_t>(event.source));
  enc.String(event.app);
  enc.String(event.instance_id);
  if (mask & kEventHasInstance) EncodeInstance(*event.instance, enc);
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
}

void PutFixed32LittleEndian(std::uint32_t value, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint32_t GetFixed32LittleEndian(std::string_view bytes) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return value;
}

std::uint32_t Crc32(std::string_view bytes) {
  return libdeflate_crc32(0, bytes.data(), bytes.size());
}

// ---------------------------------------------------------------- decoding

// Reads the body front to back. The first failure is remembered (which field
// and why) and every later read fails, so callers check once at the end.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : rest_(bytes) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return rest_.empty(); }
  std::size_t remaining() const { return rest_.size(); }

  bool Byte(std::string_view field, std::uint8_t* value) {
    if (!ok()) return false;
    if (rest_.empty()) return Fail(field, "truncated");
    *value = static_cast<std::uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }

  bool Varint(std::string_view field, std::uint64_t* value) {
    if (!ok()) return false;
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return Fail(field, "truncated varint");
      const auto byte = static_cast<std::uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return Fail(field, "varint overflows 64 bits");
      result |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return Fail(field, "varint longer than 10 bytes");
  }

  bool Unsigned32(std::string_view field, std::uint32_t* value) {
    std::uint64_t wide = 0;
    if (!Varint(field, &wide)) return false;
    if (wide > UINT32_MAX) return Fail(field, "value exceeds 32 bits");
    *value = static_cast<std::uint32_t>(wide);
    return true;
  }

  bool Signed64(std::string_view field, std::int64_t* value) {
    std::uint64_t zigzag = 0;
    if (!Varint(field, &zigzag)) return false;
    *value = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
    return true;
  }

  bool Signed32(std::string_view field, std::int32_t* value) {
    std::int64_t wide = 0;
    if (!Signed64(field, &wide)) return false;
    if (wide < INT32_MIN || wide > INT32_MAX) return Fail(field, "value exceeds 32 bits");
    *value = static_cast<std::int32_t>(wide);
    return true;
  }

  bool Bool(std::string_view field, bool* value) {
    std::uint8_t byte = 0;
    if (!Byte(field, &byte)) return false;
    if (byte > 1) return Fail(field, "boolean is neither 0 nor 1");
    *value = byte == 1;
    return true;
  }

  bool String(std::string_view field, std::string* value) {
    std::uint64_t length = 0;
    if (!Varint(field, &length)) return false;
    if (length > rest_.size()) return Fail(field, "string runs past the end");
    value->assign(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return true;
  }

  // Keys must be strictly increasing, as EncodeMap writes them: a duplicate
  // would otherwise vanish silently on insert.
  bool Map(std::string_view field, StringMap* map) {
    std::uint64_t count = 0;
    if (!Varint(field, &count)) return false;
    // Each entry takes at least two bytes; this rejects absurd counts early.
    if (count > rest_.size() / 2) return Fail(field, "entry count runs past the end");
    map->clear();
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string key;
      std::string value;
      if (!String(field, &key) || !String(field, &value)) return false;
      if (!map->empty() && !(map->rbegin()->first < key)) {
        return Fail(field, "keys not strictly increasing");
      }
      map->emplace_hint(map->end(), std::move(key), std::move(value));
    }
    return true;
  }

  bool Status(std::string_view field, InstanceStatus* status) {
    std::uint8_t byte = 0;
    if (!Byte(field, &byte)) return false;
    if (byte > static_cast<std::uint8_t>(InstanceStatus::kUnknown)) {
      return Fail(field, absl::StrCat("unknown instance status ", static_cast<int>(byte)));
    }
    *status = static_cast<InstanceStatus>(byte);
    return true;
  }

  bool Fail(std::string_view field, std::string_view reason) {
    if (ok()) error_ = absl::StrCat(View(field), ": ", View(reason));
    return false;
  }

 private:
  std::string_view rest_;
  std::string error_;
};

bool DecodeInstance(Decoder& dec, InstanceInfo* info) {
  std::uint64_t flags = 0;
  if (!dec.Varint("instance.flags", &flags)) return false;
  if (flags & ~kInstanceKnownBits) {
    return dec.Fail("instance.flags", absl::StrFormat("unknown bits 0x%x", flags));
  }
  info->port.enabled = (flags & kInstancePortEnabled) != 0;
  info->secure_port.enabled = (flags & kInstanceSecurePortEnabled) != 0;
  info->has_data_center = (flags & kInstanceHasDataCenter) != 0;
  info->is_coordinating_discovery_server = (flags & kInstanceIsCoordinatingDiscoveryServer) != 0;
  dec.String("instance.host_name", &info->host_name);
  dec.String("instance.app", &info->app);
  dec.String("instance.ip_addr", &info->ip_addr);
  dec.String("instance.sid", &info->sid);
  dec.Status("instance.status", &info->status);
  dec.Status("instance.overridden_status", &info->overridden_status);
  dec.Signed32("instance.port", &info->port.port);
  dec.Signed32("instance.secure_port", &info->secure_port.port);
  dec.Signed32("instance.country_id", &info->country_id);
  dec.String("instance.data_center.name", &info->data_center.name);
  dec.String("instance.data_center.class_name", &info->data_center.class_name);
  dec.Map("instance.data_center.metadata", &info->data_center.metadata);
  dec.Signed32("instance.renewal_interval_secs", &info->renewal_interval_secs);
  dec.Signed32("instance.duration_secs", &info->duration_secs);
  dec.Map("instance.metadata", &info->metadata);
  dec.Signed64("instance.last_updated_timestamp", &info->last_updated_timestamp);
  dec.Signed64("instance.last_dirty_timestamp", &info->last_dirty_timestamp);
  for (int i = 0; i < kInstanceOptionalStringCount; ++i) {
    if (flags & (std::uint64_t{1} << i)) {
      std::string value;
      dec.String("instance.optional_string", &value);
      (info->*kOptionalStrings[i]) = std::move(value);
    } else {
      (info->*kOptionalStrings[i]).reset();
    }
  }
  return dec.ok();
}

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
       type > static_cast<std::uint8_t>(EventType::kRenewalThresholdUpdate))) {
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
    if (!DecodeInstance(dec, &*event->instance)) return false;
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
  return dec.ok();
}

absl::Status Damaged(core::Offset offset, std::string_view what) {
  return absl::DataLossError(absl::StrCat("event at offset ", offset, ": ", View(what)));
}

}  // namespace

void EncodeEvent(const core::Event& event, std::string* out) {
  std::string body;
  Encoder body_encoder(&body);
  EncodeBody(event, body_encoder);

  const std::size_t start = out->size();
  Encoder encoder(out);
  encoder.Byte(kEventFormatVersion);
  encoder.Varint(body.size());
  out->append(body);
  const std::string_view covered(out->data() + start, out->size() - start);
  PutFixed32LittleEndian(Crc32(covered), out);
}

absl::StatusOr<core::Event> DecodeEvent(std::string_view bytes, core::Offset offset) {
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

  core::Event event;
  event.offset = offset;
  Decoder body(bytes.substr(header_length, body_length));
  if (!DecodeBody(body, &event))
    return Damaged(offset, absl::StrCat("garbled body: ", body.error()));
  if (!body.at_end()) {
    return Damaged(offset, absl::StrCat("garbled body: ", body.remaining(), " unread bytes"));
  }
  return event;
}

}  // namespace logbook::storage
