#include "core/snapshot_merge.h"

#include <algorithm>
#include <deque>
#include <utility>

namespace logbook::core {
namespace {

Event MergeEvent(std::string_view app, std::string_view instance_id, const MergeSource& source) {
  Event event;
  event.timestamp_ms = source.now_ms;
  event.origin_node = source.peer;
  event.origin_offset = source.snapshot_offset;
  event.type = EventType::kInstanceSet;
  event.source = EventSource::kLogbookPeer;
  event.app = std::string(app);
  event.instance_id = std::string(instance_id);
  return event;
}

// The record's fields a merge can change: everything but where it was last
// changed in the log (an offset of the serving node's log in `theirs`).
bool SameContent(const InstanceRecord& a, const InstanceRecord& b) {
  return a.info == b.info && a.lease == b.lease && a.action_type == b.action_type;
}

// Eureka's rule: a newer lastDirtyTimestamp is a newer registration; with
// the same one, the later change (status, override, metadata) wins.
bool IsNewer(const InstanceInfo& theirs, const InstanceInfo& ours) {
  if (theirs.last_dirty_timestamp != ours.last_dirty_timestamp) {
    return theirs.last_dirty_timestamp > ours.last_dirty_timestamp;
  }
  return theirs.last_updated_timestamp > ours.last_updated_timestamp;
}

TimestampMs LatestOf(const InstanceRecord& record) {
  return std::max({record.info.last_updated_timestamp, record.lease.last_renewal_timestamp,
                   record.lease.registration_timestamp});
}

}  // namespace

TimestampMs SnapshotTime(const Registry& snapshot) {
  TimestampMs latest = 0;
  for (const auto& [name, application] : snapshot.applications()) {
    for (const auto& [id, record] : application.instances) {
      latest = std::max(latest, LatestOf(record));
    }
  }
  for (const WindowEntry& touch : snapshot.window()) {
    latest = std::max(latest, touch.timestamp_ms);
  }
  return latest;
}

RecentRemovals RecentRemovalsOf(const Registry& local) {
  RecentRemovals removals;
  std::optional<std::uint64_t> seen;
  UpdateRecentRemovals(local, &seen, &removals);
  return removals;
}

void UpdateRecentRemovals(const Registry& local, std::optional<std::uint64_t>* seen,
                          RecentRemovals* removals) {
  const std::deque<WindowEntry>& window = local.window();
  const std::uint64_t appended = local.window_appended();
  std::size_t from = 0;
  if (seen->has_value() && **seen <= appended && appended - **seen <= window.size()) {
    from = window.size() - static_cast<std::size_t>(appended - **seen);
  } else {
    removals->clear();
  }
  for (std::size_t i = from; i < window.size(); ++i) {
    const WindowEntry& touch = window[i];
    if (touch.removed == nullptr) continue;
    TimestampMs& at = (*removals)[{touch.app.str(), touch.instance_id.str()}];
    at = std::max(at, touch.timestamp_ms);
  }
  *seen = appended;
}

std::optional<Event> DecideMergedInstance(const Registry& local, const RecentRemovals& removals,
                                          const InstanceRecord& theirs,
                                          std::optional<InstanceStatus> their_override,
                                          const MergeSource& source) {
  const std::string instance_id(theirs.info.EffectiveId());
  const InstanceRecord* ours = local.Find(theirs.info.app, instance_id);
  Event event = MergeEvent(theirs.info.app, instance_id, source);
  if (ours == nullptr) {
    // Removed here (a cancel or eviction we saw and the peer had not) after
    // the peer's copy last changed or renewed: the removal is newer.
    auto removed = removals.find(std::make_pair(theirs.info.app, instance_id));
    if (removed != removals.end() && removed->second > LatestOf(theirs)) return std::nullopt;
    event.record = theirs;
    event.override_to_store = their_override;
    return event;
  }
  InstanceRecord merged;
  if (IsNewer(theirs.info, ours->info)) {
    merged = theirs;
    event.override_to_store = their_override;
  } else {
    merged = *ours;
    event.override_to_store = local.OverrideFor(instance_id);
  }
  // Leases only move forward, whichever record wins.
  merged.lease.last_renewal_timestamp =
      std::max(ours->lease.last_renewal_timestamp, theirs.lease.last_renewal_timestamp);
  if (SameContent(merged, *ours) && event.override_to_store == local.OverrideFor(instance_id)) {
    return std::nullopt;
  }
  event.record = std::move(merged);
  return event;
}

std::optional<Event> DecideMergedRemoval(const Registry& local, std::string_view app,
                                         std::string_view instance_id, const MergeSource& source) {
  const InstanceRecord* ours = local.Find(app, instance_id);
  if (ours == nullptr) return std::nullopt;
  // Changed or renewed after the snapshot was taken (through another peer,
  // or by the peer's own events we have not pulled yet): newer than the
  // snapshot's absence, as a newer renewal keeps an instance a peer evicted.
  if (LatestOf(*ours) > source.snapshot_time_ms) return std::nullopt;
  return MergeEvent(app, instance_id, source);
}

std::optional<std::pair<std::string, std::string>> CollectAbsentInstances(
    const Registry& local, const Registry& snapshot,
    const std::optional<std::pair<std::string, std::string>>& after, std::size_t limit,
    std::vector<AbsentInstance>* out) {
  const auto& applications = local.applications();
  auto app_it = after.has_value() ? applications.lower_bound(after->first) : applications.begin();
  std::size_t visited = 0;
  std::optional<std::pair<std::string, std::string>> last;
  for (; app_it != applications.end(); ++app_it) {
    const auto& instances = app_it->second.instances;
    auto it = after.has_value() && app_it->first == after->first
                  ? instances.upper_bound(after->second)
                  : instances.begin();
    for (; it != instances.end(); ++it) {
      if (visited == limit) return last;
      ++visited;
      last.emplace(app_it->first, it->first);
      if (snapshot.Find(app_it->first, it->first) == nullptr) {
        out->push_back(AbsentInstance{app_it->first, it->first, it->second.last_change_offset});
      }
    }
  }
  return std::nullopt;
}

}  // namespace logbook::core
