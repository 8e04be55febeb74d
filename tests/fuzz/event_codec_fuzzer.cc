// storage/event_codec's DecodeEvent on arbitrary values.
//
// Input: byte 0 picks the mode. Even: the rest is a stored value as is (the
// envelope checks: truncation, trailing bytes, checksum). Odd: the rest is an
// event *body*, framed here with version 1 and a correct CRC-32
// (docs/log-format.md, "Event values"), so the fuzzer gets past the checksum
// into the body decoder. Invariants:
// - the result is an event, DataLoss or InvalidArgument;
// - a decoded event re-encodes to bytes that decode to the same event, and
//   re-encoding that is stable (the encoding is canonical after one pass).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/event.h"
#include "storage/codec_primitives.h"
#include "storage/event_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace logbook;  // NOLINT

constexpr core::Offset kOffset = 42;

std::string FrameBody(std::string_view body) {
  std::string value;
  storage::codec::Encoder enc(&value);
  enc.Byte(storage::kEventFormatVersion);
  enc.Varint(body.size());
  value.append(body);
  storage::codec::PutFixed32LittleEndian(storage::codec::Crc32(value), &value);
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string value = (data[0] & 1) ? FrameBody(rest) : std::string(rest);

  absl::StatusOr<core::Event> decoded = storage::DecodeEvent(value, kOffset);
  if (!decoded.ok()) {
    const absl::StatusCode code = decoded.status().code();
    FUZZ_CHECK(code == absl::StatusCode::kDataLoss || code == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(decoded->offset == kOffset);

  std::string encoded;
  storage::EncodeEvent(*decoded, &encoded);
  absl::StatusOr<core::Event> again = storage::DecodeEvent(encoded, kOffset);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *decoded);
  std::string reencoded;
  storage::EncodeEvent(*again, &reencoded);
  FUZZ_CHECK(reencoded == encoded);
  return 0;
}
