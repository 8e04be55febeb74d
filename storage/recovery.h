#pragma once
// Startup recovery (ARCHITECTURE.md §3): the newest valid snapshot plus a
// replay of the events after it. Snapshots that cannot be used are reported
// and passed over for an older one (a longer replay); a damaged log is an
// error, never a partial registry.
//
// Thread: the loop thread, before EventLog::Start().
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/registry.h"
#include "storage/event_log.h"
#include "storage/snapshot_store.h"

namespace logbook::storage {

struct RecoveryInfo {
  core::Offset snapshot_offset = core::kNoOffset;  // 0: none used, full replay
  std::uint64_t replayed_events = 0;
  std::int64_t ms = 0;
  std::int64_t snapshot_ms = 0;  // of ms: finding, reading and decoding the snapshot
  std::vector<SkippedSnapshot> skipped_snapshots;
};

struct Recovered {
  std::unique_ptr<core::Registry> registry;
  RecoveryInfo info;
};

// Called once per skipped snapshot, as it is skipped.
using SnapshotSkipReporter = std::function<void(const SkippedSnapshot&)>;

// DataLoss when the log is damaged (a bad record, a gap) or when the events
// needed are gone (no usable snapshot and the log no longer starts at 1).
absl::StatusOr<Recovered> Recover(EventLog& log, const core::RegistryOptions& options,
                                  const SnapshotSkipReporter& report = nullptr);

}  // namespace logbook::storage
