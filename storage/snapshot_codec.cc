#include "storage/snapshot_codec.h"

#include <libdeflate.h>

#include <cstdint>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/status.h"
#include "storage/codec_primitives.h"

// The byte layout implemented here is docs/log-format.md, "Snapshot values".
// Keep the two in step, and the golden bytes in tests/storage/snapshot_codec_test.cc.

namespace logbook::storage {
namespace {

using codec::Decoder;
using codec::Encoder;

// A body larger than this is refused before allocating for it: far beyond
// any registry we serve, and a guard against a value from a buggy writer.
constexpr std::uint64_t kMaxRawBodyBytes = std::uint64_t{1} << 34;
// DEFLATE cannot expand a stored byte to more than 1032 bytes (a 258-byte
// match coded in two bits), so a raw length beyond that is damage, refused
// before the buffer for it is allocated (found by tests/fuzz: a 30-byte value
// claiming 600 MB).
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Reads a count and rejects one that cannot fit in the bytes left, each
// item taking at least `min_item_bytes`.
bool Count(Decoder& dec, std::string_view field, std::size_t min_item_bytes, std::uint64_t* n) {
  if (!dec.Varint(field, n)) return false;
  if (*n > dec.remaining() / min_item_bytes) return dec.Fail(field, "count runs past the end");
  return true;
}

bool DecodeBody(Decoder& dec, core::RegistryState* state) {
  dec.Varint("version", &state->version);
  dec.Signed64("expected_clients", &state->expected_clients);
  dec.Signed64("renews.bucket_minute", &state->renews.bucket_minute);
  dec.Signed64("renews.renews_in_bucket", &state->renews.renews_in_bucket);
  dec.Signed64("renews.renews_in_previous_bucket", &state->renews.renews_in_previous_bucket);

  std::uint64_t overrides = 0;
  if (!Count(dec, "overrides", 2, &overrides)) return false;
  for (std::uint64_t i = 0; i < overrides; ++i) {
    std::string instance_id;
    core::InstanceStatus status = core::InstanceStatus::kUnknown;
    if (!dec.String("override.instance_id", &instance_id) ||
        !dec.Status("override.status", &status)) {
      return false;
    }
    if (!state->overrides.empty() && !(state->overrides.rbegin()->first < instance_id)) {
      return dec.Fail("override.instance_id", "ids not strictly increasing");
    }
    state->overrides.emplace_hint(state->overrides.end(), std::move(instance_id), status);
  }

  std::uint64_t applications = 0;
  if (!Count(dec, "applications", 2, &applications)) return false;
  for (std::uint64_t i = 0; i < applications; ++i) {
    std::string name;
    std::uint64_t instances = 0;
    if (!dec.String("application.name", &name) ||
        !Count(dec, "application.instances", 8, &instances)) {
      return false;
    }
    if (!state->applications.empty() && !(state->applications.rbegin()->first < name)) {
      return dec.Fail("application.name", "names not strictly increasing");
    }
    core::Application& application =
        state->applications.emplace_hint(state->applications.end(), name, core::Application{})
            ->second;
    application.name = std::move(name);
    for (std::uint64_t j = 0; j < instances; ++j) {
      core::InstanceRecord record;
      if (!codec::DecodeInstanceRecord(dec, &record)) return false;
      std::string instance_id(record.info.EffectiveId());
      if (!application.instances.empty() &&
          !(application.instances.rbegin()->first < instance_id)) {
        return dec.Fail("instance", "effective ids not strictly increasing");
      }
      application.instances.emplace_hint(application.instances.end(), std::move(instance_id),
                                         std::move(record));
    }
  }

  std::uint64_t touches = 0;
  if (!Count(dec, "window", 4, &touches)) return false;
  for (std::uint64_t i = 0; i < touches; ++i) {
    core::WindowEntry touch;
    bool has_removed = false;
    if (!dec.Signed64("window.timestamp_ms", &touch.timestamp_ms) ||
        !dec.String("window.app", &touch.app) ||
        !dec.String("window.instance_id", &touch.instance_id) ||
        !dec.Bool("window.has_removed", &has_removed)) {
      return false;
    }
    if (has_removed) {
      auto removed = std::make_shared<core::InstanceRecord>();
      if (!codec::DecodeInstanceRecord(dec, removed.get())) return false;
      touch.removed = std::move(removed);
    }
    state->window.push_back(std::move(touch));
  }
  return dec.ok();
}

absl::Status Damaged(core::Offset offset, std::string_view what) {
  return absl::DataLossError(absl::StrCat("snapshot at offset ", offset, ": ", codec::View(what)));
}

}  // namespace

void EncodeSnapshotBodyHead(const core::Registry& registry, codec::Encoder& enc) {
  enc.Varint(registry.version());
  enc.Signed(registry.expected_clients());
  const core::RenewMeter& renews = registry.renew_meter();
  enc.Signed(renews.bucket_minute);
  enc.Signed(renews.renews_in_bucket);
  enc.Signed(renews.renews_in_previous_bucket);
  enc.Varint(registry.overrides().size());
  for (const auto& [instance_id, status] : registry.overrides()) {
    enc.String(instance_id);
    enc.Status(status);
  }
  enc.Varint(registry.applications().size());
}

void EncodeSnapshotApplicationHead(std::string_view name, std::size_t instances,
                                   codec::Encoder& enc) {
  enc.String(name);
  enc.Varint(instances);
}

void EncodeSnapshotWindowEntry(const core::WindowEntry& touch, codec::Encoder& enc) {
  enc.Signed(touch.timestamp_ms);
  enc.String(touch.app);
  enc.String(touch.instance_id);
  enc.Byte(touch.removed != nullptr ? 1 : 0);
  if (touch.removed != nullptr) codec::EncodeInstanceRecord(*touch.removed, enc);
}

std::string EncodeSnapshotBody(const core::Registry& registry) {
  std::string body;
  Encoder enc(&body);
  EncodeSnapshotBodyHead(registry, enc);
  for (const auto& [name, application] : registry.applications()) {
    EncodeSnapshotApplicationHead(name, application.instances.size(), enc);
    for (const auto& [instance_id, record] : application.instances) {
      codec::EncodeInstanceRecord(record, enc);
    }
  }
  enc.Varint(registry.window().size());
  for (const core::WindowEntry& touch : registry.window()) EncodeSnapshotWindowEntry(touch, enc);
  return body;
}

std::string EncodeSnapshot(const core::Registry& registry, SnapshotCompression compression) {
  return EncodeSnapshotValue(registry.last_applied_offset(), EncodeSnapshotBody(registry),
                             compression);
}

std::string EncodeSnapshotValue(core::Offset offset, std::string_view body,
                                SnapshotCompression compression) {
  std::string stored;
  if (compression == SnapshotCompression::kDeflate) {
    // Level 1: snapshots of large registries are taken often; speed matters
    // more than the last few percent of size.
    libdeflate_compressor* compressor = libdeflate_alloc_compressor(1);
    LOGBOOK_CHECK(compressor != nullptr);
    stored.resize(libdeflate_deflate_compress_bound(compressor, body.size()));
    const std::size_t size = libdeflate_deflate_compress(compressor, body.data(), body.size(),
                                                         stored.data(), stored.size());
    libdeflate_free_compressor(compressor);
    LOGBOOK_CHECK(size > 0 || body.empty());  // the bound always suffices
    stored.resize(size);
  } else {
    stored = body;
  }

  std::string out;
  out.append(kSnapshotMagic);
  Encoder enc(&out);
  enc.Byte(kSnapshotFormatVersion);
  enc.Byte(static_cast<std::uint8_t>(compression));
  enc.Varint(offset);
  enc.Varint(body.size());
  enc.Varint(stored.size());
  out.append(stored);
  codec::PutFixed32LittleEndian(codec::Crc32(out), &out);
  return out;
}

absl::StatusOr<std::unique_ptr<core::Registry>> DecodeSnapshot(
    std::string_view bytes, core::Offset key_offset, const core::RegistryOptions& options) {
  // As for events: the envelope is checked (lengths, then CRC) before the
  // version, so damage is told apart from a newer writer.
  std::uint8_t version = 0;
  std::uint8_t compression = 0;
  std::uint64_t offset = 0;
  std::uint64_t raw_length = 0;
  std::uint64_t stored_length = 0;
  if (bytes.size() < kSnapshotMagic.size()) {
    return Damaged(key_offset, absl::StrCat("truncated value (", bytes.size(), " bytes)"));
  }
  Decoder fields(bytes.substr(kSnapshotMagic.size()));
  if (!fields.Byte("version", &version) || !fields.Byte("compression", &compression) ||
      !fields.Varint("offset", &offset) || !fields.Varint("raw length", &raw_length) ||
      !fields.Varint("stored length", &stored_length)) {
    return Damaged(key_offset, absl::StrCat("truncated value (", bytes.size(), " bytes)"));
  }
  const std::size_t header_length = bytes.size() - fields.remaining();
  if (fields.remaining() < codec::kChecksumSize ||
      stored_length > fields.remaining() - codec::kChecksumSize) {
    return Damaged(key_offset, absl::StrCat("truncated value (", bytes.size(),
                                            " bytes, stored length ", stored_length, ")"));
  }
  const std::size_t covered_length = header_length + stored_length;
  if (covered_length + codec::kChecksumSize != bytes.size()) {
    return Damaged(key_offset, absl::StrCat(bytes.size() - covered_length - codec::kChecksumSize,
                                            " trailing bytes after the checksum"));
  }
  const std::uint32_t stored_crc = codec::GetFixed32LittleEndian(bytes.substr(covered_length));
  const std::uint32_t computed_crc = codec::Crc32(bytes.substr(0, covered_length));
  if (stored_crc != computed_crc) {
    return Damaged(key_offset, absl::StrFormat("checksum mismatch (stored 0x%08x, computed 0x%08x)",
                                               stored_crc, computed_crc));
  }
  if (bytes.substr(0, kSnapshotMagic.size()) != kSnapshotMagic) {
    return Damaged(key_offset, "not a snapshot (bad magic)");
  }
  if (version != kSnapshotFormatVersion) {
    return absl::InvalidArgumentError(absl::StrCat(
        "snapshot at offset ", key_offset, ": unknown format version ", static_cast<int>(version),
        " (this build reads version ", static_cast<int>(kSnapshotFormatVersion), ")"));
  }
  if (offset != key_offset) {
    return Damaged(key_offset, absl::StrCat("value is for offset ", offset));
  }
  if (raw_length > kMaxRawBodyBytes) {
    return Damaged(key_offset, absl::StrCat("body length ", raw_length, " is implausible"));
  }
  const std::string_view stored = bytes.substr(header_length, stored_length);
  // The body is read in place when stored uncompressed, else inflated into
  // a buffer that is not zeroed first (tens of MB at 100,000 instances:
  // zeroing them showed up in restart profiles).
  std::string_view body;
  std::unique_ptr<char[]> inflated;
  switch (static_cast<SnapshotCompression>(compression)) {
    case SnapshotCompression::kNone:
      if (raw_length != stored_length) {
        return Damaged(key_offset, "uncompressed body length differs from the stored length");
      }
      body = stored;
      break;
    case SnapshotCompression::kDeflate: {
      if (raw_length > stored_length * kMaxDeflateRatio) {
        return Damaged(key_offset, absl::StrCat("body length ", raw_length, " cannot inflate from ",
                                                stored_length, " stored bytes"));
      }
      inflated.reset(new char[raw_length]);
      libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
      LOGBOOK_CHECK(decompressor != nullptr);
      std::size_t actual = 0;
      const libdeflate_result result = libdeflate_deflate_decompress(
          decompressor, stored.data(), stored.size(), inflated.get(), raw_length, &actual);
      libdeflate_free_decompressor(decompressor);
      if (result != LIBDEFLATE_SUCCESS || actual != raw_length) {
        return Damaged(key_offset, absl::StrCat("body does not inflate to ", raw_length,
                                                " bytes (libdeflate result ",
                                                static_cast<int>(result), ")"));
      }
      body = std::string_view(inflated.get(), raw_length);
      break;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("snapshot at offset ", key_offset,
                                                     ": unknown compression ",
                                                     static_cast<int>(compression)));
  }

  core::RegistryState state;
  state.last_applied_offset = offset;
  Decoder dec(body);
  if (!DecodeBody(dec, &state)) {
    return Damaged(key_offset, absl::StrCat("garbled body: ", dec.error()));
  }
  if (!dec.at_end()) {
    return Damaged(key_offset, absl::StrCat("garbled body: ", dec.remaining(), " unread bytes"));
  }
  absl::StatusOr<std::unique_ptr<core::Registry>> registry =
      core::Registry::FromState(options, std::move(state));
  if (!registry.ok()) {
    return Damaged(key_offset, absl::StrCat("inconsistent state: ",
                                            codec::View(core::MessageOf(registry.status()))));
  }
  return registry;
}

}  // namespace logbook::storage
