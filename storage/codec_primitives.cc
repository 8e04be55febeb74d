#include "storage/codec_primitives.h"

#include <libdeflate.h>

#include "absl/strings/str_format.h"

// The byte layouts implemented here are docs/log-format.md, "Primitive
// encodings" and "InstanceInfo".

namespace logbook::storage::codec {
namespace {

using core::InstanceInfo;

// InstanceInfo flag bits: bits 0..8 say which optional string is present
// (in kOptionalStrings order), bits 9..12 carry the booleans.
constexpr int kInstanceOptionalStringCount = 9;
constexpr std::uint64_t kInstancePortEnabled = 1u << 9;
constexpr std::uint64_t kInstanceSecurePortEnabled = 1u << 10;
constexpr std::uint64_t kInstanceHasDataCenter = 1u << 11;
constexpr std::uint64_t kInstanceIsCoordinatingDiscoveryServer = 1u << 12;
constexpr std::uint64_t kInstanceKnownBits = (1u << 13) - 1;

// The order of InstanceInfo's optional strings on disk: never reorder.
constexpr core::CompactString InstanceInfo::*kOptionalStrings[kInstanceOptionalStringCount] =
    {
        &InstanceInfo::instance_id,      &InstanceInfo::app_group_name,
        &InstanceInfo::home_page_url,    &InstanceInfo::status_page_url,
        &InstanceInfo::health_check_url, &InstanceInfo::secure_health_check_url,
        &InstanceInfo::vip_address,      &InstanceInfo::secure_vip_address,
        &InstanceInfo::asg_name,
};

}  // namespace

void EncodeInstanceInfo(const InstanceInfo& info, Encoder& enc) {
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

bool DecodeInstanceInfo(Decoder& dec, InstanceInfo* info) {
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
  // Nearly every instance names one of two classes: pointed at static text
  // here rather than copied and then shared by the registry (a malloc and a
  // free per record of a snapshot or registration).
  std::string_view class_name;
  if (dec.StringView("instance.data_center.class_name", &class_name)) {
    info->data_center.class_name = core::SharedDataCenterClass(class_name);
  }
  dec.Map("instance.data_center.metadata", &info->data_center.metadata);
  dec.Signed32("instance.renewal_interval_secs", &info->renewal_interval_secs);
  dec.Signed32("instance.duration_secs", &info->duration_secs);
  dec.Map("instance.metadata", &info->metadata);
  dec.Signed64("instance.last_updated_timestamp", &info->last_updated_timestamp);
  dec.Signed64("instance.last_dirty_timestamp", &info->last_dirty_timestamp);
  for (int i = 0; i < kInstanceOptionalStringCount; ++i) {
    if (flags & (std::uint64_t{1} << i)) {
      dec.String("instance.optional_string", &(info->*kOptionalStrings[i]));
    } else {
      (info->*kOptionalStrings[i]).reset();
    }
  }
  return dec.ok();
}

void EncodeInstanceRecord(const core::InstanceRecord& record, Encoder& enc) {
  EncodeInstanceInfo(record.info, enc);
  const core::Lease& lease = record.lease;
  enc.Signed(lease.registration_timestamp);
  enc.Signed(lease.last_renewal_timestamp);
  enc.Signed(lease.eviction_timestamp);
  enc.Signed(lease.service_up_timestamp);
  enc.Signed(lease.duration_ms);
  enc.Byte(static_cast<std::uint8_t>(record.action_type));
  enc.Varint(record.last_change_offset);
}

bool DecodeInstanceRecord(Decoder& dec, core::InstanceRecord* record) {
  if (!DecodeInstanceInfo(dec, &record->info)) return false;
  core::Lease& lease = record->lease;
  dec.Signed64("lease.registration_timestamp", &lease.registration_timestamp);
  dec.Signed64("lease.last_renewal_timestamp", &lease.last_renewal_timestamp);
  dec.Signed64("lease.eviction_timestamp", &lease.eviction_timestamp);
  dec.Signed64("lease.service_up_timestamp", &lease.service_up_timestamp);
  dec.Signed64("lease.duration_ms", &lease.duration_ms);
  std::uint8_t action = 0;
  if (dec.Byte("action_type", &action) &&
      action > static_cast<std::uint8_t>(core::ActionType::kDeleted)) {
    return dec.Fail("action_type", absl::StrCat("unknown action type ", static_cast<int>(action)));
  }
  record->action_type = static_cast<core::ActionType>(action);
  dec.Varint("last_change_offset", &record->last_change_offset);
  return dec.ok();
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

}  // namespace logbook::storage::codec
