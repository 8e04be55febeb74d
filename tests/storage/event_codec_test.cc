#include "storage/event_codec.h"

#include <libdeflate.h>

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::Event;
using core::EventType;
using testing::FullRegisterEvent;
using testing::RandomEvent;

constexpr EventType kAllTypes[] = {
    EventType::kRegister,       EventType::kRenew,
    EventType::kCancel,         EventType::kEvict,
    EventType::kStatusUpdate,   EventType::kDeleteStatusOverride,
    EventType::kMetadataUpdate, EventType::kRenewalThresholdUpdate,
    EventType::kInstanceSet,
};

std::string Encode(const Event& event) {
  std::string bytes;
  EncodeEvent(event, &bytes);
  return bytes;
}

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// Rebuilds a record around `body` with a correct CRC, to reach the checks
// that come after the checksum.
std::string Frame(unsigned char version, const std::string& body) {
  std::string record(1, static_cast<char>(version));
  record.push_back(static_cast<char>(body.size()));  // bodies here are < 128 bytes
  record += body;
  const std::uint32_t crc = libdeflate_crc32(0, record.data(), record.size());
  for (int i = 0; i < 4; ++i) record.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return record;
}

TEST(EventCodec, FullRegisterRoundTrips) {
  const Event event = FullRegisterEvent();
  absl::StatusOr<Event> decoded = DecodeEvent(Encode(event), event.offset);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, event);
}

TEST(EventCodec, EveryTypeRoundTripsWithRandomFields) {
  std::mt19937_64 rng(20240601);
  for (const EventType type : kAllTypes) {
    for (int i = 0; i < 300; ++i) {
      const Event event = RandomEvent(type, rng);
      absl::StatusOr<Event> decoded = DecodeEvent(Encode(event), event.offset);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      ASSERT_EQ(*decoded, event) << "type " << core::EventTypeName(type) << " iteration " << i;
    }
  }
}

TEST(EventCodec, DefaultEventOfEveryTypeRoundTrips) {
  for (const EventType type : kAllTypes) {
    Event event;
    event.offset = 1;
    event.type = type;
    absl::StatusOr<Event> decoded = DecodeEvent(Encode(event), 1);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, event);
  }
}

// INSTANCE_SET carries a whole record (the snapshot's record layout).
Event InstanceSetEvent() {
  Event event = FullRegisterEvent();
  event.type = EventType::kInstanceSet;
  event.source = core::EventSource::kLogbookPeer;
  core::InstanceRecord record;
  record.info = *event.instance;
  record.lease = core::Lease{1000, 2000, 0, 1500, 30000};
  record.action_type = core::ActionType::kModified;
  record.last_change_offset = 12;
  event.instance.reset();
  event.record = record;
  event.override_to_store = core::InstanceStatus::kOutOfService;
  return event;
}

TEST(EventCodec, InstanceSetWithItsRecordRoundTrips) {
  const Event event = InstanceSetEvent();
  absl::StatusOr<Event> decoded = DecodeEvent(Encode(event), event.offset);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, event);
}

TEST(EventCodec, RecordKeyedByAnotherInstanceOrOnAnotherTypeIsDataLoss) {
  Event other_id = InstanceSetEvent();
  other_id.instance_id = "someone-else";
  absl::StatusOr<Event> decoded = DecodeEvent(Encode(other_id), 3);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "record")) << decoded.status();
  Event on_register = InstanceSetEvent();
  on_register.type = EventType::kRegister;
  decoded = DecodeEvent(Encode(on_register), 3);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
}

TEST(EventCodec, AbsentAndEmptyOptionalStringsStayDistinct) {
  Event event = FullRegisterEvent();
  event.instance->home_page_url.reset();
  event.instance->status_page_url = "";
  absl::StatusOr<Event> decoded = DecodeEvent(Encode(event), event.offset);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(decoded->instance->home_page_url.has_value());
  ASSERT_TRUE(decoded->instance->status_page_url.has_value());
  EXPECT_EQ(*decoded->instance->status_page_url, "");
}

TEST(EventCodec, OffsetIsNotPartOfTheValue) {
  Event event = FullRegisterEvent();
  const std::string at_17 = Encode(event);
  event.offset = 99;
  EXPECT_EQ(Encode(event), at_17);
  absl::StatusOr<Event> decoded = DecodeEvent(at_17, 99);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->offset, 99u);
}

// Golden bytes: a change here is a format change. Bump kEventFormatVersion,
// keep a reader for the old version, and update docs/log-format.md.
TEST(EventCodec, GoldenBytesRenew) {
  Event event;
  event.timestamp_ms = 1700000000000;
  event.origin_node = "n1";
  event.origin_offset = 300;
  event.type = EventType::kRenew;
  event.source = core::EventSource::kClient;
  event.app = "APP";
  event.instance_id = "i-1";
  event.renew_status = core::InstanceStatus::kDown;
  event.counts_as_renewal = false;
  const std::string expected =
      "01"            // format version 1
      "17"            // body length 23
      "0a"            // field mask: renew_status (bit 1) | not counted as renewal (bit 3)
      "80a0abfef962"  // timestamp_ms 1700000000000 (zigzag 3400000000000)
      "026e31"        // origin_node "n1"
      "ac02"          // origin_offset 300
      "02"            // type RENEW
      "00"            // source client
      "03415050"      // app "APP"
      "03692d31"      // instance_id "i-1"
      "01"            // renew_status DOWN
      "bae4e758";     // CRC-32 of the 25 bytes above, little-endian
  EXPECT_EQ(Hex(Encode(event)), expected);
}

TEST(EventCodec, GoldenBytesRegister) {
  core::InstanceInfo info;
  info.host_name = "h";
  info.app = "A";
  info.ip_addr = "1.2.3.4";
  info.vip_address = "v";
  info.metadata = {{"k", "v"}};
  info.last_dirty_timestamp = 5;
  Event event;
  event.timestamp_ms = -2;
  event.origin_node = "n";
  event.origin_offset = 1;
  event.type = EventType::kRegister;
  event.source = core::EventSource::kClient;
  event.app = "A";
  event.instance_id = "h";
  event.instance = info;
  const std::string expected =
      "01"    // format version 1
      "6d"    // body length 109
      "01"    // field mask: instance (bit 0)
      "03"    // timestamp_ms -2 (zigzag 3)
      "016e"  // origin_node "n"
      "01"    // origin_offset 1
      "01"    // type REGISTER
      "00"    // source client
      "0141"  // app "A"
      "0168"  // instance_id "h"
      "c014"  // instance flags 0xa40: vip_address (6), port.enabled (9), has_data_center (11)
      "0168"  // host_name "h"
      "0141"  // app "A"
      "07312e322e332e34"  // ip_addr "1.2.3.4"
      "026e61"            // sid "na"
      "00"                // status UP
      "04"                // overridden_status UNKNOWN
      "b26d"              // port 7001
      "b46d"              // secure_port 7002
      "02"                // country_id 1
      "054d794f776e"      // data_center.name "MyOwn"
      "36636f6d2e6e6574666c69782e617070696e666f2e496e7374616e6365496e666f2444656661756c74"
      "4461746143656e746572496e666f"  // data_center.class_name (54 bytes)
      "00"                            // data_center.metadata: 0 entries
      "3c"                            // renewal_interval_secs 30
      "b401"                          // duration_secs 90
      "01016b0176"                    // metadata: 1 entry, "k" -> "v"
      "00"                            // last_updated_timestamp 0
      "0a"                            // last_dirty_timestamp 5
      "0176"                          // vip_address "v" (the only optional string present)
      "e7e95d81";                     // CRC-32
  EXPECT_EQ(Hex(Encode(event)), expected);
}

TEST(EventCodec, GoldenBytesEvict) {
  Event event;
  event.timestamp_ms = 0;
  event.origin_node = std::string("n");
  event.origin_offset = 2;
  event.type = EventType::kEvict;
  event.source = core::EventSource::kEvictor;
  event.app = std::string("A");
  event.instance_id = std::string("h");
  event.evict_reason = {.lease_expired_at_ms = 1000,
                        .renews_last_min = 3,
                        .renews_threshold = 4,
                        .self_preservation_enabled = true,
                        .expired_count = 2,
                        .eviction_cap = 1,
                        .registry_size = 7};
  const std::string expected =
      "01"         // format version 1
      "14"         // body length 20
      "8001"       // field mask: evict_reason (bit 7)
      "00"         // timestamp_ms 0
      "016e"       // origin_node "n"
      "02"         // origin_offset 2
      "04"         // type EVICT
      "02"         // source evictor
      "0141"       // app "A"
      "0168"       // instance_id "h"
      "d00f"       // lease_expired_at_ms 1000
      "06"         // renews_last_min 3
      "08"         // renews_threshold 4
      "01"         // self_preservation_enabled
      "02"         // expired_count 2
      "01"         // eviction_cap 1
      "07"         // registry_size 7
      "af433dbb";  // CRC-32
  EXPECT_EQ(Hex(Encode(event)), expected);
}

TEST(EventCodec, EverySingleByteFlipIsDataLoss) {
  const std::string bytes = Encode(FullRegisterEvent());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int mask = 1; mask < 256; ++mask) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      absl::StatusOr<Event> decoded = DecodeEvent(damaged, 42);
      ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << i << " xor " << mask << ": " << decoded.status();
      ASSERT_TRUE(absl::StrContains(decoded.status().message(), "offset 42")) << decoded.status();
    }
  }
}

TEST(EventCodec, EveryTruncationIsDataLoss) {
  const std::string bytes = Encode(FullRegisterEvent());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    absl::StatusOr<Event> decoded = DecodeEvent(bytes.substr(0, length), 7);
    ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss)
        << "length " << length << ": " << decoded.status();
    ASSERT_TRUE(absl::StrContains(decoded.status().message(), "offset 7")) << decoded.status();
  }
}

TEST(EventCodec, TrailingBytesAreDataLoss) {
  const std::string bytes = Encode(FullRegisterEvent()) + "x";
  absl::StatusOr<Event> decoded = DecodeEvent(bytes, 3);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "1 trailing bytes"))
      << decoded.status();
}

TEST(EventCodec, ChecksumMismatchNamesOffset) {
  std::string bytes = Encode(FullRegisterEvent());
  bytes[10] ^= 0x20;
  absl::StatusOr<Event> decoded = DecodeEvent(bytes, 123);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "event at offset 123"))
      << decoded.status();
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "checksum mismatch"))
      << decoded.status();
}

TEST(EventCodec, UnknownVersionWithValidChecksumIsInvalidArgument) {
  std::string record = Encode(FullRegisterEvent());
  // Same body, version 2, checksum recomputed: what a newer build would write.
  const std::string body = record.substr(1, record.size() - 5);
  std::string newer(1, '\x02');
  newer += body;
  const std::uint32_t crc = libdeflate_crc32(0, newer.data(), newer.size());
  for (int i = 0; i < 4; ++i) newer.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));

  absl::StatusOr<Event> decoded = DecodeEvent(newer, 5);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "offset 5")) << decoded.status();
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "unknown format version 2"))
      << decoded.status();
}

TEST(EventCodec, UnknownEventTypeWithValidChecksumIsDataLoss) {
  // mask 0, timestamp 0, origin "", origin_offset 0, type 10, source 0, app "", id "".
  const std::string body("\x00\x00\x00\x00\x0a\x00\x00\x00", 8);
  absl::StatusOr<Event> decoded = DecodeEvent(Frame(1, body), 8);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "unknown event type 10"))
      << decoded.status();
}

TEST(EventCodec, UnknownFieldBitsAreDataLoss) {
  const std::string body("\x80\x08\x00\x00\x00\x02\x00\x00\x00", 9);  // mask bit 10
  absl::StatusOr<Event> decoded = DecodeEvent(Frame(1, body), 8);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "field_mask")) << decoded.status();
}

TEST(EventCodec, UnsortedMapKeysAreDataLoss) {
  // mask = metadata (bit 6), RENEW, then a map {"b": "", "a": ""} out of order.
  const std::string body("\x40\x00\x00\x00\x02\x00\x00\x00\x02\x01\x62\x00\x01\x61\x00", 15);
  absl::StatusOr<Event> decoded = DecodeEvent(Frame(1, body), 8);
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(decoded.status().message(), "metadata: keys not strictly"))
      << decoded.status();
}

TEST(EventCodec, FrameHelperMatchesEncoder) {
  // Keeps the hand-built records above honest: a RENEW with default fields.
  Event event;
  event.type = EventType::kRenew;
  EXPECT_EQ(Frame(1, std::string("\x00\x00\x00\x00\x02\x00\x00\x00", 8)), Encode(event));
}

TEST(EventCodec, EncodeAppendsToExistingBytes) {
  std::string out = "prefix";
  const Event event = FullRegisterEvent();
  EncodeEvent(event, &out);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  absl::StatusOr<Event> decoded = DecodeEvent(std::string_view(out).substr(6), event.offset);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, event);
}

}  // namespace
}  // namespace logbook::storage
