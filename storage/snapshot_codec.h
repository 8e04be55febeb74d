#pragma once
// Registry <-> snapshot bytes, exactly as docs/log-format.md ("Snapshot
// values") describes: versioned, deflate-compressed, CRC-32-checksummed.
// The offset is also the RocksDB key (storage/snapshot_store.h).
//
// Thread: pure functions; callers run them off the event loop.
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/registry.h"
#include "storage/codec_primitives.h"

namespace logbook::storage {

inline constexpr unsigned char kSnapshotFormatVersion = 1;
inline constexpr std::string_view kSnapshotMagic = "LBSN";

enum class SnapshotCompression : unsigned char { kNone = 0, kDeflate = 1 };

// The complete state of `registry` (everything Serialize() covers plus the
// delta window, the renew meter, expected clients, overrides, version and
// the last applied offset), compressed with `compression`.
std::string EncodeSnapshot(const core::Registry& registry,
                           SnapshotCompression compression = SnapshotCompression::kDeflate);

// The uncompressed body alone (docs/log-format.md, "Snapshot body").
std::string EncodeSnapshotBody(const core::Registry& registry);

// The stored value of a snapshot at `offset` whose body is `body` (what
// EncodeSnapshot does once it has the body; SnapshotCut encodes bodies itself).
std::string EncodeSnapshotValue(core::Offset offset, std::string_view body,
                                SnapshotCompression compression = SnapshotCompression::kDeflate);

// The parts of the body layout, in the order they come, for an encoder that
// writes the body in slices (storage/snapshot_cut.h): everything before the
// first application (counters, overrides, the number of applications); an
// application's name and instance count, before its instances (each
// codec::EncodeInstanceRecord); one delta window entry, after the entries' count.
void EncodeSnapshotBodyHead(const core::Registry& registry, codec::Encoder& enc);
void EncodeSnapshotApplicationHead(std::string_view name, std::size_t instances,
                                   codec::Encoder& enc);
void EncodeSnapshotWindowEntry(const core::WindowEntry& touch, codec::Encoder& enc);

// The registry a snapshot value describes, restored with `options`.
// `key_offset` is the offset the value is stored under; a value for another
// offset is damage. DataLoss on a checksum mismatch, truncation, a garbled or
// inconsistent body; InvalidArgument on an unknown format version or
// compression. Every message starts "snapshot at offset K: ".
absl::StatusOr<std::unique_ptr<core::Registry>> DecodeSnapshot(std::string_view bytes,
                                                               core::Offset key_offset,
                                                               const core::RegistryOptions& options);

}  // namespace logbook::storage
