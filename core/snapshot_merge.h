#pragma once
// The conflict rule for merging a peer's snapshot transfer into a registry
// that already holds state (docs/replication.md, "Merging a peer's
// snapshot"): for each instance, whether the peer's copy replaces ours, ours
// is removed, or ours is kept, as INSTANCE_SET events to append and apply.
// Deciding reads only the two registries and the inputs below, so the
// decision is made once, on the loop, and the log records its result: replay
// applies the events without deciding again.
//
// Thread: pure functions; the caller owns both registries (the local one on
// its loop thread).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/registry.h"

namespace logbook::core {

struct MergeSource {
  NodeId peer;                        // served the snapshot: the events' origin
  Offset snapshot_offset = kNoOffset;  // S: the events' origin offset
  // The latest time the snapshot can speak for (SnapshotTime, or later):
  // a local copy changed or renewed after it is newer than the snapshot.
  TimestampMs snapshot_time_ms = 0;
  TimestampMs now_ms = 0;  // the events' timestamp (this node's clock)
};

// The latest timestamp the snapshot records: a registration, change or
// renewal of any instance, or a touch of its delta window.
TimestampMs SnapshotTime(const Registry& snapshot);

// When this registry last removed each instance still in its delta window
// ((app, id) -> the removal's time): a removal newer than the peer's copy
// keeps the instance out.
using RecentRemovals = absl::flat_hash_map<std::pair<std::string, std::string>, TimestampMs>;
RecentRemovals RecentRemovalsOf(const Registry& local);

// Brings `removals` up to date with `local`'s window: reads only the
// entries appended since `*seen` (Registry::window_appended()), or the whole
// window when `*seen` is nullopt or the count no longer adds up (a registry
// rebuilt meanwhile), so that each loop task of a merge costs no pass over a
// window that the merge itself grows by one entry per instance. Removals that
// left the window since stay: they still happened after what they beat.
void UpdateRecentRemovals(const Registry& local, std::optional<std::uint64_t>* seen,
                          RecentRemovals* removals);

// An instance the snapshot has (`theirs`, with the peer's override entry for
// it). nullopt keeps ours. Otherwise an INSTANCE_SET with the record to
// hold: theirs when its lastDirtyTimestamp is newer, or equal with a newer
// lastUpdatedTimestamp (a status, override or metadata change made later at
// the peer), with the lease's last renewal never moving back; ours with
// only the lease moved forward when theirs is older but renewed later. An
// instance we do not hold is added unless we removed it after the peer's
// copy last changed or renewed.
std::optional<Event> DecideMergedInstance(const Registry& local, const RecentRemovals& removals,
                                          const InstanceRecord& theirs,
                                          std::optional<InstanceStatus> their_override,
                                          const MergeSource& source);

// An instance we hold, the snapshot lacks, and whose last change (the event
// at its last_change_offset) the caller found to be the peer's: the peer
// cancelled or evicted it while we could not see its log. An INSTANCE_SET
// without a record removes it, unless our copy changed or was renewed after
// the snapshot's time (nullopt: kept). Instances whose last change another
// node originated are never passed here.
std::optional<Event> DecideMergedRemoval(const Registry& local, std::string_view app,
                                         std::string_view instance_id, const MergeSource& source);

// An instance the local registry holds and the snapshot lacks, with the
// offset of the event that last changed it here.
struct AbsentInstance {
  std::string app;
  std::string instance_id;
  Offset last_change_offset = kNoOffset;
  bool operator==(const AbsentInstance&) const = default;
};

// Visits local instances in (app, id) order strictly after `after` (empty:
// from the start), at most `limit` of them, appending those `snapshot` lacks
// to *out. Returns the last key visited, or nullopt once every instance was.
std::optional<std::pair<std::string, std::string>> CollectAbsentInstances(
    const Registry& local, const Registry& snapshot,
    const std::optional<std::pair<std::string, std::string>>& after, std::size_t limit,
    std::vector<AbsentInstance>* out);

}  // namespace logbook::core
