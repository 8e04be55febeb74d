// Snapshot values (docs/log-format.md, "Snapshot values"): round trips, the
// golden bytes of version 1, damage detection, and the property that a
// snapshot at any offset plus the events after it equals a full replay.
#include "storage/snapshot_codec.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "core/status.h"
#include "storage/codec_primitives.h"
#include "gtest/gtest.h"
#include "tests/core/random_workload.h"

namespace logbook::storage {
namespace {

using core::Registry;
using core::testing::MakeRandomWorkload;

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

std::unique_ptr<Registry> Decode(const std::string& bytes, core::Offset offset,
                                 const core::RegistryOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<Registry>> decoded = DecodeSnapshot(bytes, offset, options);
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *std::move(decoded) : nullptr;
}

void ExpectSameDelta(const Registry& a, const Registry& b, core::TimestampMs now_ms) {
  const std::vector<core::DeltaEntry> delta_a = a.Delta(now_ms);
  const std::vector<core::DeltaEntry> delta_b = b.Delta(now_ms);
  ASSERT_EQ(delta_a.size(), delta_b.size());
  for (std::size_t i = 0; i < delta_a.size(); ++i) {
    EXPECT_EQ(delta_a[i].app, delta_b[i].app);
    EXPECT_EQ(delta_a[i].instance_id, delta_b[i].instance_id);
    EXPECT_EQ(delta_a[i].action, delta_b[i].action);
    EXPECT_EQ(*delta_a[i].record, *delta_b[i].record);
  }
}

// A registry with an instance, an override, a removal in the window and a
// renewal: every section of the body non-empty.
Registry SmallRegistry() {
  Registry registry;
  core::Event event;
  event.type = core::EventType::kRegister;
  event.offset = 1;
  event.timestamp_ms = 60000;
  event.app = "A";
  event.instance_id = "i";
  core::InstanceInfo info;
  info.instance_id = "i";
  info.host_name = "h";
  info.app = "A";
  info.ip_addr = "1";
  info.overridden_status = core::InstanceStatus::kDown;
  event.instance = info;
  registry.Apply(event);
  core::Event renew;
  renew.type = core::EventType::kRenew;
  renew.offset = 2;
  renew.timestamp_ms = 61000;
  renew.app = "A";
  renew.instance_id = "i";
  registry.Apply(renew);
  core::Event cancel = event;
  cancel.type = core::EventType::kCancel;
  cancel.offset = 3;
  cancel.timestamp_ms = 62000;
  cancel.instance.reset();
  registry.Apply(cancel);
  event.offset = 4;
  event.timestamp_ms = 63000;
  registry.Apply(event);
  return registry;
}

TEST(SnapshotCodec, SmallRegistryRoundTrips) {
  const Registry registry = SmallRegistry();
  for (SnapshotCompression compression : {SnapshotCompression::kNone, SnapshotCompression::kDeflate}) {
    std::unique_ptr<Registry> restored = Decode(EncodeSnapshot(registry, compression), 4);
    ASSERT_NE(restored, nullptr);
    EXPECT_EQ(restored->Serialize(), registry.Serialize());
    EXPECT_EQ(restored->renew_meter(), registry.renew_meter());
    ExpectSameDelta(registry, *restored, 63000);
    EXPECT_EQ(EncodeSnapshot(*restored, compression), EncodeSnapshot(registry, compression));
  }
}

// A restored registry holds one copy of the data center class, not one per
// instance: the decoder points known classes at static text instead of
// copying them (and leaves any other class as it was).
TEST(InstanceCodec, KnownDataCenterClassesDecodeToSharedStaticText) {
  for (std::string_view known : {core::kDefaultDataCenterClass, core::kAmazonDataCenterClass}) {
    core::InstanceInfo info;
    info.data_center.class_name = std::string(known);
    std::string bytes;
    codec::Encoder enc(&bytes);
    codec::EncodeInstanceInfo(info, enc);
    core::InstanceInfo first;
    core::InstanceInfo second;
    codec::Decoder first_dec(bytes);
    codec::Decoder second_dec(bytes);
    ASSERT_TRUE(codec::DecodeInstanceInfo(first_dec, &first)) << first_dec.error();
    ASSERT_TRUE(codec::DecodeInstanceInfo(second_dec, &second)) << second_dec.error();
    EXPECT_EQ(first.data_center.class_name, known);
    EXPECT_EQ(first.data_center.class_name.data(), second.data_center.class_name.data()) << known;
  }
  core::InstanceInfo custom;
  custom.data_center.class_name = "com.example.CustomDataCenterInfo";
  std::string bytes;
  codec::Encoder enc(&bytes);
  codec::EncodeInstanceInfo(custom, enc);
  core::InstanceInfo decoded;
  codec::Decoder dec(bytes);
  ASSERT_TRUE(codec::DecodeInstanceInfo(dec, &decoded)) << dec.error();
  EXPECT_EQ(decoded.data_center.class_name, "com.example.CustomDataCenterInfo");
}

TEST(SnapshotCodec, EmptyRegistryRoundTrips) {
  core::RegistryOptions options;
  options.initial_expected_clients = 7;
  const Registry registry(options);
  std::unique_ptr<Registry> restored = Decode(EncodeSnapshot(registry), 0, options);
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(restored->Serialize(), registry.Serialize());
}

// Golden bytes: a change here is a format change. Bump kSnapshotFormatVersion
// and update docs/log-format.md ("Snapshot values") in the same commit.
TEST(SnapshotCodec, GoldenBytesUncompressed) {
  const std::string expected =
      // magic "LBSN", version 1, compression none, offset 4, raw length 250,
      // stored length 250
      "4c42534e" "01" "00" "04" "fa01" "fa01"
      // registry version 4, expected_clients 2, renew meter: minute 1, 1
      // renewal in it, 0 in the minute before
      "04" "04" "02" "02" "00"
      // 1 override: "i" -> DOWN; 1 application "A" with 1 instance
      "01" "0169" "01" "01" "0141" "01"
      // InstanceInfo: flags (instance_id, port enabled, data center), host
      // "h", app "A", ip "1", sid "na", UP, DOWN, port 7001, secure port
      // 7002, country 1, "MyOwn", its class, no data center metadata,
      // renewal 30, duration 90, no metadata, last updated 63000, last
      // dirty 0, instance_id "i"
      "8114" "0168" "0141" "0131" "026e61" "00" "01" "b26d" "b46d" "02" "054d794f776e"
      "36636f6d2e6e6574666c69782e617070696e666f2e496e7374616e6365496e666f24"
      "44656661756c744461746143656e746572496e666f"
      "00" "3c" "b401" "00" "b0d807" "00" "0169"
      // lease: registered 63000, renewed 63000, not evicted, up since
      // 63000, 90 s; ADDED; last change offset 4
      "b0d807" "b0d807" "00" "b0d807" "a0fe0a" "00" "04"
      // window: 3 entries. Register at 60000 of A/i, no removed record
      "03" "c0a907" "0141" "0169" "00"
      // cancel at 62000 with the removed record (DELETED, offset 3)
      "e0c807" "0141" "0169" "01"
      "8114" "0168" "0141" "0131" "026e61" "00" "01" "b26d" "b46d" "02" "054d794f776e"
      "36636f6d2e6e6574666c69782e617070696e666f2e496e7374616e6365496e666f24"
      "44656661756c744461746143656e746572496e666f"
      "00" "3c" "b401" "00" "e0c807" "00" "0169"
      "c0a907" "90b907" "e0c807" "c0a907" "a0fe0a" "02" "03"
      // register at 63000, no removed record
      "b0d807" "0141" "0169" "00"
      // CRC-32
      "1451cb8a";
  EXPECT_EQ(Hex(EncodeSnapshot(SmallRegistry(), SnapshotCompression::kNone)), expected);
}

TEST(SnapshotCodec, EverySingleByteFlipIsDetected) {
  const std::string encoded = EncodeSnapshot(SmallRegistry());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      std::string damaged = encoded;
      damaged[i] = static_cast<char>(damaged[i] ^ bit);
      absl::StatusOr<std::unique_ptr<Registry>> decoded = DecodeSnapshot(damaged, 4, {});
      ASSERT_FALSE(decoded.ok()) << "byte " << i << " bit " << int{bit};
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss) << decoded.status();
      EXPECT_TRUE(core::MessageOf(decoded.status()).starts_with("snapshot at offset 4: "))
          << decoded.status();
    }
  }
}

TEST(SnapshotCodec, EveryTruncationIsDataLoss) {
  const std::string encoded = EncodeSnapshot(SmallRegistry());
  for (std::size_t length = 0; length < encoded.size(); ++length) {
    absl::StatusOr<std::unique_ptr<Registry>> decoded =
        DecodeSnapshot(encoded.substr(0, length), 4, {});
    ASSERT_FALSE(decoded.ok()) << length;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  }
}

TEST(SnapshotCodec, ValueUnderAnotherOffsetIsDataLoss) {
  absl::StatusOr<std::unique_ptr<Registry>> decoded =
      DecodeSnapshot(EncodeSnapshot(SmallRegistry()), 5, {});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(core::MessageOf(decoded.status()).find("value is for offset 4"), std::string::npos);
}

// Regression (tests/fuzz snapshot_codec): a short value with a valid CRC
// claiming a huge deflated body made the decoder allocate and zero it all
// before inflating. Now the claim is refused first, by DEFLATE's ratio bound.
TEST(SnapshotCodec, RawLengthBeyondDeflatesRatioIsDataLossBeforeAllocating) {
  const std::string stored("\x03\x00", 2);  // an empty fixed-Huffman block
  std::string value(kSnapshotMagic);
  codec::Encoder enc(&value);
  enc.Byte(kSnapshotFormatVersion);
  enc.Byte(static_cast<std::uint8_t>(SnapshotCompression::kDeflate));
  enc.Varint(4);                      // offset
  enc.Varint(std::uint64_t{1} << 32);  // raw length: 4 GiB from 2 bytes
  enc.Varint(stored.size());
  value.append(stored);
  codec::PutFixed32LittleEndian(codec::Crc32(value), &value);

  absl::StatusOr<std::unique_ptr<Registry>> decoded = DecodeSnapshot(value, 4, {});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(core::MessageOf(decoded.status()).find("cannot inflate from 2 stored bytes"),
            std::string::npos)
      << decoded.status();
}

// The property of ARCHITECTURE.md §3: for random workloads and random cut
// points k, restoring the snapshot at k and replaying k+1.. gives the same
// registry (Serialize) and the same delta as replaying everything.
TEST(SnapshotProperty, SnapshotPlusReplayEqualsFullReplay) {
  constexpr int kSeeds = 120;
  constexpr int kCutsPerSeed = 6;
  int non_empty_windows = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const core::testing::RandomWorkload work = MakeRandomWorkload(seed, 300);
    Registry full(work.options);
    for (const core::Event& event : work.events) full.Apply(event);
    std::mt19937_64 rng(seed);
    for (int cut = 0; cut < kCutsPerSeed; ++cut) {
      const std::size_t k = rng() % (work.events.size() + 1);
      Registry prefix(work.options);
      for (std::size_t i = 0; i < k; ++i) prefix.Apply(work.events[i]);
      if (!prefix.window().empty()) ++non_empty_windows;
      std::unique_ptr<Registry> restored =
          Decode(EncodeSnapshot(prefix), prefix.last_applied_offset(), work.options);
      ASSERT_NE(restored, nullptr);
      for (std::size_t i = k; i < work.events.size(); ++i) restored->Apply(work.events[i]);
      ASSERT_EQ(restored->Serialize(), full.Serialize()) << "cut at " << k;
      ExpectSameDelta(full, *restored, work.end_ms);
      // Also at a time when the snapshot's own window entries are still visible.
      if (k > 0) ExpectSameDelta(full, *restored, work.events[k - 1].timestamp_ms);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  EXPECT_GT(non_empty_windows, kSeeds);  // the window part of the format is exercised
}

}  // namespace
}  // namespace logbook::storage
