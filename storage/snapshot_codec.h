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

namespace logbook::storage {

inline constexpr unsigned char kSnapshotFormatVersion = 1;
inline constexpr std::string_view kSnapshotMagic = "LBSN";

enum class SnapshotCompression : unsigned char { kNone = 0, kDeflate = 1 };

// The complete state of `registry` (everything Serialize() covers plus the
// delta window, the renew meter, expected clients, overrides, version and
// the last applied offset), compressed with `compression`.
std::string EncodeSnapshot(const core::Registry& registry,
                           SnapshotCompression compression = SnapshotCompression::kDeflate);

// The uncompressed body alone (docs/log-format.md, "Snapshot body"), for tests.
std::string EncodeSnapshotBody(const core::Registry& registry);

// The registry a snapshot value describes, restored with `options`.
// `key_offset` is the offset the value is stored under; a value for another
// offset is damage. DataLoss on a checksum mismatch, truncation, a garbled or
// inconsistent body; InvalidArgument on an unknown format version or
// compression. Every message starts "snapshot at offset K: ".
absl::StatusOr<std::unique_ptr<core::Registry>> DecodeSnapshot(std::string_view bytes,
                                                               core::Offset key_offset,
                                                               const core::RegistryOptions& options);

}  // namespace logbook::storage
