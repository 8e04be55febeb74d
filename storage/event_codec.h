#pragma once
// Event <-> bytes, exactly as docs/log-format.md describes (versioned,
// CRC-32-checksummed via libdeflate). The offset is the RocksDB key, not part of the value.
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/event_codec.h"

namespace logbook::storage {

inline constexpr unsigned char kEventFormatVersion = 1;

// Appends the encoding of `event` (all fields but `offset`) to *out.
void EncodeEvent(const core::Event& event, std::string* out);

// DataLoss on a checksum mismatch or a truncated/garbled record,
// InvalidArgument on an unknown format version; the message names `offset`.
absl::StatusOr<core::Event> DecodeEvent(std::string_view bytes, core::Offset offset);

// DecodeEvent() into `*event`, every field replaced, reusing the buffers of
// its app, instance id and origin node: a reader decoding event after event
// into one Event allocates only when a value outgrows them. On failure
// `*event` holds a partial decode.
absl::Status DecodeEventInto(std::string_view bytes, core::Offset offset, core::Event* event);

// The origin fields of an encoded event, with DecodeEvent's envelope checks
// (length, checksum, version); the rest of the body is not decoded.
absl::StatusOr<core::EventOrigin> PeekEventOrigin(std::string_view bytes, core::Offset offset);

}  // namespace logbook::storage
