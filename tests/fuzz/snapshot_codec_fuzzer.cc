// storage/snapshot_codec's DecodeSnapshot on arbitrary values.
//
// Input: byte 0 picks the mode. Mode 0: the rest is a stored value as is
// (envelope checks). Mode 1 and 2: the rest is a snapshot *body*, framed here
// as docs/log-format.md ("Snapshot values") says — magic, version 1, the key's
// offset, lengths, stored uncompressed (1) or deflated (2), and a correct
// CRC-32 — so the fuzzer reaches the body decoder and Registry::FromState.
// Mode 3: an envelope with a correct CRC around arbitrary header fields and
// stored bytes (the lengths and compression the decoder must distrust).
// Invariants:
// - the result is a registry, DataLoss or InvalidArgument, and decoding
//   never allocates more than the value could plausibly describe;
// - a decoded registry re-encodes to a snapshot that decodes to a registry
//   with the same state.
#include <libdeflate.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/registry.h"
#include "storage/codec_primitives.h"
#include "storage/snapshot_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace logbook;  // NOLINT

constexpr core::Offset kOffset = 7;

std::string Deflate(std::string_view body) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(1);
  FUZZ_CHECK(compressor != nullptr);
  std::string stored(libdeflate_deflate_compress_bound(compressor, body.size()), '\0');
  const std::size_t size =
      libdeflate_deflate_compress(compressor, body.data(), body.size(), stored.data(), stored.size());
  libdeflate_free_compressor(compressor);
  stored.resize(size);
  return stored;
}

std::string Frame(std::uint8_t compression, std::uint64_t raw_length, std::string_view stored) {
  std::string value(storage::kSnapshotMagic);
  storage::codec::Encoder enc(&value);
  enc.Byte(storage::kSnapshotFormatVersion);
  enc.Byte(compression);
  enc.Varint(kOffset);
  enc.Varint(raw_length);
  enc.Varint(stored.size());
  value.append(stored);
  storage::codec::PutFixed32LittleEndian(storage::codec::Crc32(value), &value);
  return value;
}

std::string Value(const std::uint8_t* data, std::size_t size) {
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 1:
      return Frame(static_cast<std::uint8_t>(storage::SnapshotCompression::kNone), rest.size(),
                   rest);
    case 2:
      return Frame(static_cast<std::uint8_t>(storage::SnapshotCompression::kDeflate), rest.size(),
                   Deflate(rest));
    case 3: {
      // compression byte, 8-byte raw length, then the stored bytes.
      if (rest.size() < 9) return std::string(rest);
      std::uint64_t raw_length = 0;
      for (int i = 1; i <= 8; ++i) raw_length = (raw_length << 8) | static_cast<std::uint8_t>(rest[i]);
      return Frame(static_cast<std::uint8_t>(rest[0]), raw_length, rest.substr(9));
    }
    default:
      return std::string(rest);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string value = Value(data, size);
  const core::RegistryOptions options;

  absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
      storage::DecodeSnapshot(value, kOffset, options);
  if (!decoded.ok()) {
    const absl::StatusCode code = decoded.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  const core::Registry& registry = **decoded;
  FUZZ_CHECK(registry.last_applied_offset() == kOffset);

  const std::string encoded = storage::EncodeSnapshot(registry);
  absl::StatusOr<std::unique_ptr<core::Registry>> again =
      storage::DecodeSnapshot(encoded, kOffset, options);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(storage::EncodeSnapshotBody(**again) == storage::EncodeSnapshotBody(registry));
  return 0;
}
