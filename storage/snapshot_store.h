#pragma once
// The `snapshots` column family: encoded registries (storage/snapshot_codec.h)
// keyed by their offset, 8 bytes big-endian (docs/log-format.md). Keeps the
// newest `keep`; loads the newest one that is valid, reporting every one it
// had to skip.
//
// Thread: any (RocksDB is thread-safe and this class holds no state besides
// the Db reference), but Write() is meant for the snapshotter thread only.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/registry.h"
#include "storage/db.h"

namespace logbook::storage {

struct SnapshotInfo {
  core::Offset offset = core::kNoOffset;
  std::size_t bytes = 0;
};

// A snapshot that recovery could not use, and why.
struct SkippedSnapshot {
  core::Offset offset = core::kNoOffset;
  std::string reason;
};

struct LoadedSnapshot {
  core::Offset offset = core::kNoOffset;
  std::unique_ptr<core::Registry> registry;
};

inline constexpr int kDefaultSnapshotsKept = 3;

class SnapshotStore {
 public:
  // REQUIRES: keep >= 1. `db` outlives this.
  explicit SnapshotStore(Db& db, int keep = kDefaultSnapshotsKept);

  // Stores `encoded` under `offset` and deletes all but the newest `keep`
  // snapshots, in one write. Not synced: the log is the truth, and RocksDB's
  // one WAL keeps a snapshot from outliving the events it covers.
  absl::Status Write(core::Offset offset, std::string_view encoded);

  // Every stored snapshot, newest first. A key that is not 8 bytes is
  // listed with offset 0 (LoadNewest reports it).
  absl::StatusOr<std::vector<SnapshotInfo>> List() const;
  // nullopt when there is none at `offset`.
  absl::StatusOr<std::optional<std::string>> Read(core::Offset offset) const;

  // The newest snapshot with an offset in [min_offset, max_offset] that
  // decodes, restored with `options`; nullopt when none does. Each snapshot
  // passed over (out of range, damaged) is appended to *skipped with its
  // reason. Errors only when RocksDB itself fails.
  absl::StatusOr<std::optional<LoadedSnapshot>> LoadNewest(
      const core::RegistryOptions& options, core::Offset min_offset, core::Offset max_offset,
      std::vector<SkippedSnapshot>* skipped) const;

 private:
  Db& db_;
  int keep_;
};

}  // namespace logbook::storage
