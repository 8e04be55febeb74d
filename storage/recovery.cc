#include "storage/recovery.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace logbook::storage {

absl::StatusOr<Recovered> Recover(EventLog& log, const core::RegistryOptions& options,
                                  const SnapshotSkipReporter& report) {
  const auto start = std::chrono::steady_clock::now();
  Recovered recovered;
  SnapshotStore store(log.db());
  // A snapshot at offset k needs events k+1.. to be retained: k >= first-1.
  const core::Offset first = log.first_offset();
  const core::Offset min_offset = first > 1 ? first - 1 : 1;
  ASSIGN_OR_RETURN(std::optional<LoadedSnapshot> snapshot,
                   store.LoadNewest(options, min_offset, log.last_offset(),
                                    &recovered.info.skipped_snapshots));
  recovered.info.snapshot_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count();
  if (report) {
    for (const SkippedSnapshot& skipped : recovered.info.skipped_snapshots) report(skipped);
  }
  if (snapshot.has_value()) {
    recovered.info.snapshot_offset = snapshot->offset;
    recovered.registry = std::move(snapshot->registry);
  } else {
    if (first > 1) {
      return absl::DataLossError(absl::StrCat(
          "no usable snapshot, and the log starts at offset ", first,
          ": events 1..", first - 1, " are gone, so the registry cannot be rebuilt"));
    }
    recovered.registry = std::make_unique<core::Registry>(options);
  }
  core::Registry& registry = *recovered.registry;
  std::uint64_t replayed = 0;
  RETURN_IF_ERROR(log.Replay(recovered.info.snapshot_offset + 1, [&](const core::Event& event) {
    registry.Apply(event);
    ++replayed;
  }));
  recovered.info.replayed_events = replayed;
  recovered.info.ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return recovered;
}

}  // namespace logbook::storage
