#include "core/registry.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/status.h"
#include "core/status_override_rules.h"

namespace logbook::core {
namespace {

constexpr std::int64_t kMinuteMs = 60000;

std::size_t Index(InstanceStatus status) { return static_cast<std::size_t>(status); }

// E12/E13: vipAddress is split on ',' without trimming. Empty tokens are not
// indexed: no /vips/{name} request can name them. Calls `visit` with each VIP.
template <typename Visit>
void ForEachVip(const CompactString& vip_address, Visit visit) {
  if (!vip_address.has_value()) return;
  const std::string_view vips = vip_address.view();
  // Most instances name one VIP: no splitter for them.
  if (vips.find(',') == std::string_view::npos) {
    if (!vips.empty()) visit(vips);
    return;
  }
  for (absl::string_view token :
       absl::StrSplit(absl::string_view(vips.data(), vips.size()), ',', absl::SkipEmpty())) {
    visit(std::string_view(token.data(), token.size()));
  }
}

// The set of `vip` in `index`, created empty when absent.
template <typename Index>
typename Index::iterator VipSet(Index& index, std::string_view vip) {
  auto it = index.find(vip);
  if (it == index.end()) it = index.emplace(std::string(vip), typename Index::mapped_type()).first;
  return it;
}

template <typename Index, typename Key>
void AddToVipIndex(Index& index, const CompactString& vip_address, const Key& key) {
  ForEachVip(vip_address, [&](std::string_view vip) { VipSet(index, vip)->second.insert(key); });
}

// Fills an empty VIP index from entries given in the index's own order
// ((app, id): a walk over the applications): each entry goes in at its
// set's end with a hint, with no descent from the root, and consecutive
// instances of one application, which mostly share their VIPs, reuse the set
// found last instead of looking it up again.
template <typename Index>
class SortedVipIndexBuilder {
 public:
  explicit SortedVipIndexBuilder(Index& index) : index_(index) {}

  template <typename Key>
  void Add(const CompactString& vip_address, const Key& key) {
    ForEachVip(vip_address, [&](std::string_view vip) {
      if (last_ == nullptr || vip != last_vip_) {
        auto it = VipSet(index_, vip);
        last_vip_ = it->first;  // the map's node: stable
        last_ = &it->second;
      }
      last_->insert(last_->end(), key);
    });
  }

 private:
  Index& index_;
  std::string_view last_vip_;
  typename Index::mapped_type* last_ = nullptr;
};

template <typename Index, typename Key>
void RemoveFromVipIndex(Index& index, const CompactString& vip_address, const Key& key) {
  ForEachVip(vip_address, [&](std::string_view vip) {
    auto it = index.find(vip);
    if (it == index.end()) return;
    it->second.erase(key);
    if (it->second.empty()) index.erase(it);
  });
}

bool IsFromPeer(const Event& event) { return event.source == EventSource::kLogbookPeer; }

// An override change pulled from a peer follows its own timestamp: one made
// before the local record last changed (a newer registration, status change
// or metadata update reached this node first) is superseded and skipped.
bool IsStalePeerChange(const InstanceRecord& record, const Event& event) {
  return IsFromPeer(event) && event.timestamp_ms < record.info.last_updated_timestamp;
}

// Records proof of life at the event's time. A peer's event can arrive after
// a newer local renewal: pulled events only move a lease forward.
void MoveLease(Lease& lease, const Event& event) {
  lease.last_renewal_timestamp = IsFromPeer(event)
                                     ? std::max(lease.last_renewal_timestamp, event.timestamp_ms)
                                     : event.timestamp_ms;
}

Lease NewLease(const InstanceInfo& info, TimestampMs now_ms, TimestampMs service_up_ms) {
  Lease lease;
  lease.registration_timestamp = now_ms;
  lease.last_renewal_timestamp = now_ms;
  lease.service_up_timestamp = service_up_ms;
  lease.duration_ms = static_cast<std::int64_t>(info.EffectiveDurationSecs()) * 1000;
  // §4.2 step 6: service-up is the first time the instance was seen UP.
  if (info.status == InstanceStatus::kUp && lease.service_up_timestamp == 0) {
    lease.service_up_timestamp = now_ms;
  }
  return lease;
}

// Serialization helpers: every string quoted and C-escaped so no field value
// can imitate a separator; absent optionals are a bare `-`, so "" and absent
// differ.
std::string Quoted(std::string_view text) {
  // absl::string_view is not std::string_view in this abseil build.
  return absl::StrCat("\"", absl::CEscape(absl::string_view(text.data(), text.size())), "\"");
}

std::string QuotedOptional(const CompactString& text) {
  return text.has_value() ? Quoted(*text) : "-";
}

std::string MapText(const CompactStringMap& map) {
  std::string text = absl::StrCat("{", map.size());
  for (const auto& [key, value] : map) absl::StrAppend(&text, " ", Quoted(key), "=", Quoted(value));
  return text + "}";
}

void AppendField(std::string* out, std::string_view name, std::string_view value) {
  out->append("    ").append(name).append(" ").append(value).append("\n");
}

// Every field of InstanceRecord, in declaration order.
void AppendRecord(std::string* out, const InstanceRecord& record) {
  const InstanceInfo& info = record.info;
  AppendField(out, "instance_id", QuotedOptional(info.instance_id));
  AppendField(out, "host_name", Quoted(info.host_name));
  AppendField(out, "app", Quoted(info.app));
  AppendField(out, "app_group_name", QuotedOptional(info.app_group_name));
  AppendField(out, "ip_addr", Quoted(info.ip_addr));
  AppendField(out, "sid", Quoted(info.sid));
  AppendField(out, "status", StatusName(info.status));
  AppendField(out, "overridden_status", StatusName(info.overridden_status));
  AppendField(out, "port", absl::StrCat(info.port.port, " ", info.port.enabled));
  AppendField(out, "secure_port",
              absl::StrCat(info.secure_port.port, " ", info.secure_port.enabled));
  AppendField(out, "country_id", absl::StrCat(info.country_id));
  AppendField(
      out, "data_center",
      absl::StrCat(info.has_data_center, " ", Quoted(info.data_center.name), " ",
                   Quoted(info.data_center.class_name), " ", MapText(info.data_center.metadata)));
  AppendField(out, "renewal_interval_secs", absl::StrCat(info.renewal_interval_secs));
  AppendField(out, "duration_secs", absl::StrCat(info.duration_secs));
  AppendField(out, "metadata", MapText(info.metadata));
  AppendField(out, "home_page_url", QuotedOptional(info.home_page_url));
  AppendField(out, "status_page_url", QuotedOptional(info.status_page_url));
  AppendField(out, "health_check_url", QuotedOptional(info.health_check_url));
  AppendField(out, "secure_health_check_url", QuotedOptional(info.secure_health_check_url));
  AppendField(out, "vip_address", QuotedOptional(info.vip_address));
  AppendField(out, "secure_vip_address", QuotedOptional(info.secure_vip_address));
  AppendField(out, "is_coordinating_discovery_server",
              absl::StrCat(info.is_coordinating_discovery_server));
  AppendField(out, "last_updated_timestamp", absl::StrCat(info.last_updated_timestamp));
  AppendField(out, "last_dirty_timestamp", absl::StrCat(info.last_dirty_timestamp));
  AppendField(out, "asg_name", QuotedOptional(info.asg_name));
  const Lease& lease = record.lease;
  AppendField(out, "lease",
              absl::StrCat(lease.registration_timestamp, " ", lease.last_renewal_timestamp, " ",
                           lease.eviction_timestamp, " ", lease.service_up_timestamp, " ",
                           lease.duration_ms));
  AppendField(out, "action_type", ActionTypeName(record.action_type));
  AppendField(out, "last_change_offset", absl::StrCat(record.last_change_offset));
}

template <typename Index>
void AppendVipIndex(std::string* out, std::string_view name, const Index& index) {
  for (const auto& [vip, members] : index) {
    out->append(name).append(" ").append(Quoted(vip));
    for (const auto* entry : members) {
      absl::StrAppend(out, " ", Quoted(entry->second.info.app), "/", Quoted(entry->first));
    }
    out->append("\n");
  }
}

}  // namespace

Registry::Registry(RegistryOptions options)
    : options_(options), expected_clients_(options.initial_expected_clients) {}

Registry::Registry(const Registry& other)
    : options_(other.options_),
      applications_(other.applications_),
      overrides_(other.overrides_),
      instance_count_(other.instance_count_),
      status_counts_(other.status_counts_),
      version_(other.version_),
      shown_version_(other.shown_version_),
      last_applied_offset_(other.last_applied_offset_),
      expected_clients_(other.expected_clients_),
      renews_(other.renews_),
      window_(other.window_),
      window_appended_(other.window_appended_) {
  const absl::Status rebuilt =
      RebuildIndexes([](const std::string&, InstanceEntry&) { return absl::OkStatus(); });
  LOGBOOK_CHECK(rebuilt.ok());
}

Registry& Registry::operator=(const Registry& other) {
  if (this != &other) *this = Registry(other);
  return *this;
}

void Registry::IndexInstance(const InstanceEntry& entry) {
  by_key_.insert(&entry);
  AddToVipIndex(vips_, entry.second.info.vip_address, &entry);
  AddToVipIndex(svips_, entry.second.info.secure_vip_address, &entry);
}

void Registry::UnindexInstance(const InstanceEntry& entry) {
  RemoveFromVipIndex(vips_, entry.second.info.vip_address, &entry);
  RemoveFromVipIndex(svips_, entry.second.info.secure_vip_address, &entry);
  by_key_.erase(&entry);
}

absl::Status Registry::RebuildIndexes(
    absl::FunctionRef<absl::Status(const std::string& app, InstanceEntry& entry)> check) {
  by_key_.clear();
  vips_.clear();
  svips_.clear();
  instance_count_ = 0;
  status_counts_ = {};
  std::size_t instances = 0;
  for (const auto& [name, application] : applications_) instances += application.instances.size();
  by_key_.reserve(instances);
  // One walk over the records for everything: at 100,000 instances they
  // are ~100 MB, and each walk is mostly cache misses.
  SortedVipIndexBuilder vips(vips_);
  SortedVipIndexBuilder svips(svips_);
  for (auto& [name, application] : applications_) {
    for (InstanceEntry& entry : application.instances) {
      RETURN_IF_ERROR(check(name, entry));
      const InstanceInfo& info = entry.second.info;
      ++status_counts_[Index(info.status)];
      ++instance_count_;
      by_key_.insert(&entry);
      vips.Add(info.vip_address, &entry);
      svips.Add(info.secure_vip_address, &entry);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::FromState(RegistryOptions options,
                                                             RegistryState state) {
  const auto valid_status = [](InstanceStatus status) {
    return static_cast<std::uint8_t>(status) <= static_cast<std::uint8_t>(InstanceStatus::kUnknown);
  };
  const auto valid_record = [&](const InstanceRecord& record) {
    return valid_status(record.info.status) && valid_status(record.info.overridden_status) &&
           static_cast<std::uint8_t>(record.action_type) <=
               static_cast<std::uint8_t>(ActionType::kDeleted);
  };
  for (const auto& [name, application] : state.applications) {
    if (application.instances.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("application '", name, "' has no instances"));
    }
  }
  for (const auto& [instance_id, status] : state.overrides) {
    if (!valid_status(status)) {
      return absl::InvalidArgumentError(
          absl::StrCat("override of '", instance_id, "' has an unknown status"));
    }
  }
  for (const WindowEntry& touch : state.window) {
    if (touch.removed != nullptr && !valid_record(*touch.removed)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "delta window entry for '", touch.instance_id.str(), "' has an unknown status"));
    }
  }
  if (state.expected_clients < 0) {
    return absl::InvalidArgumentError("expected clients is negative");
  }
  auto registry = std::make_unique<Registry>(options);
  // Moved, the maps keep their nodes: the indexes built below point at the
  // registry's own records.
  registry->applications_ = std::move(state.applications);
  registry->overrides_ = std::move(state.overrides);
  registry->version_ = state.version;
  registry->shown_version_ = state.version;
  registry->last_applied_offset_ = state.last_applied_offset;
  registry->expected_clients_ = state.expected_clients;
  registry->renews_ = state.renews;
  registry->window_ = std::move(state.window);
  registry->window_appended_ = registry->window_.size();
  for (auto& [name, application] : registry->applications_) application.name = name;
  RETURN_IF_ERROR(registry->RebuildIndexes(
      [&valid_record](const std::string& app, InstanceEntry& entry) -> absl::Status {
        InstanceRecord& record = entry.second;
        if (record.info.app != app || record.info.EffectiveId() != entry.first) {
          return absl::InvalidArgumentError(absl::StrCat("instance '", entry.first, "' of '", app,
                                                         "' is keyed by another app or id"));
        }
        if (!valid_record(record)) {
          return absl::InvalidArgumentError(
              absl::StrCat("instance '", entry.first, "' of '", app, "' has an unknown status"));
        }
        // What Insert() does before indexing.
        ShareKnownValues(record.info);
        return absl::OkStatus();
      }));
  return registry;
}

void Registry::Apply(const Event& event) {
  // The window is pruned by event time, not by a timer, so that replaying the
  // same events leaves the same window behind.
  const TimestampMs window_start = event.timestamp_ms - options_.delta_retention_ms;
  while (!window_.empty() && window_.front().timestamp_ms < window_start &&
         !(window_pin_.has_value() && window_appended_ - window_.size() >= *window_pin_)) {
    window_.pop_front();
  }

  switch (event.type) {
    case EventType::kRegister:
      ApplyRegister(event);
      break;
    case EventType::kRenew:
      ApplyRenew(event);
      break;
    case EventType::kCancel:
    case EventType::kEvict:
      ApplyRemove(event);
      break;
    case EventType::kStatusUpdate:
      ApplyStatusUpdate(event);
      break;
    case EventType::kDeleteStatusOverride:
      ApplyDeleteStatusOverride(event);
      break;
    case EventType::kMetadataUpdate:
      ApplyMetadataUpdate(event);
      break;
    case EventType::kInstanceSet:
      ApplyInstanceSet(event);
      break;
    case EventType::kRenewalThresholdUpdate:
      // Each node runs its own threshold timer over the whole cluster's
      // instances; a peer's reset is kept in the log but is not ours to apply.
      if (IsFromPeer(event)) break;
      if (expected_clients_ != event.expected_clients) {
        expected_clients_ = event.expected_clients;
        ++version_;
      }
      break;
  }
  last_applied_offset_ = event.offset;
}

const InstanceRecord* Registry::Find(std::string_view app, std::string_view instance_id) const {
  auto it = by_key_.find(InstanceKey(app, instance_id));
  return it == by_key_.end() ? nullptr : &(*it)->second;
}

InstanceRecord* Registry::FindMutable(std::string_view app, std::string_view instance_id) {
  InstanceRecord* record = const_cast<InstanceRecord*>(std::as_const(*this).Find(app, instance_id));
  // Every caller changes what it finds (or returns before any change, which
  // only costs an observer a copy it did not need).
  if (record != nullptr && observer_ != nullptr) observer_->BeforeChange(app, instance_id, *record);
  return record;
}

const InstanceRecord* Registry::FindById(std::string_view instance_id) const {
  for (const auto& [name, application] : applications_) {
    auto it = application.instances.find(instance_id);
    if (it != application.instances.end()) return &it->second;
  }
  return nullptr;
}

const Application* Registry::FindApplication(std::string_view app) const {
  auto it = applications_.find(app);
  return it == applications_.end() ? nullptr : &it->second;
}

std::vector<const InstanceRecord*> Registry::ByVip(std::string_view vip, bool secure) const {
  const VipIndex& index = secure ? svips_ : vips_;
  std::vector<const InstanceRecord*> records;
  auto it = index.find(vip);
  if (it == index.end()) return records;
  records.reserve(it->second.size());
  for (const InstanceEntry* entry : it->second) records.push_back(&entry->second);
  return records;
}

std::optional<InstanceStatus> Registry::OverrideFor(std::string_view instance_id) const {
  auto it = overrides_.find(instance_id);
  if (it == overrides_.end()) return std::nullopt;
  return it->second;
}

std::int64_t Registry::RenewsLastMinute(TimestampMs now_ms) const {
  const std::int64_t previous_minute = now_ms / kMinuteMs - 1;
  if (previous_minute == renews_.bucket_minute) return renews_.renews_in_bucket;
  if (previous_minute == renews_.bucket_minute - 1) return renews_.renews_in_previous_bucket;
  return 0;
}

std::vector<DeltaEntry> Registry::Delta(TimestampMs now_ms) const {
  const TimestampMs window_start = now_ms - options_.delta_retention_ms;
  std::vector<DeltaEntry> entries;
  // Per (app, id): its position in `entries` (first touch) and the copy kept
  // by its latest removal, if any.
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> position;
  std::vector<const InstanceRecord*> latest_removed;
  for (const WindowEntry& touch : window_) {
    if (touch.timestamp_ms < window_start) continue;
    auto [it, inserted] = position.try_emplace({touch.app, touch.instance_id}, entries.size());
    if (inserted) {
      entries.push_back(
          DeltaEntry{touch.app.str(), touch.instance_id.str(), ActionType::kAdded, nullptr});
      latest_removed.push_back(nullptr);
    }
    if (touch.removed != nullptr) latest_removed[it->second] = touch.removed.get();
  }
  // The latest meaning wins (§5.2): an instance that exists now is shown as it
  // is now (this also covers removed-then-re-registered); one that is gone is
  // shown as it was removed.
  std::vector<DeltaEntry> delta;
  delta.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    DeltaEntry& entry = entries[i];
    if (const InstanceRecord* current = Find(entry.app, entry.instance_id); current != nullptr) {
      entry.record = current;
      entry.action = current->action_type;
    } else if (latest_removed[i] != nullptr) {
      entry.record = latest_removed[i];
      entry.action = ActionType::kDeleted;
    } else {
      // Gone without a removal inside the window: only possible when events
      // arrive with out-of-order timestamps. Nothing truthful to show.
      continue;
    }
    delta.push_back(std::move(entry));
  }
  return delta;
}

std::string Registry::Serialize() const {
  std::string out;
  // A header line with a format number, so a later snapshot format can tell
  // this text apart.
  out.append("logbook-registry 1\n");
  absl::StrAppend(&out, "last_applied_offset ", last_applied_offset_, "\n");
  absl::StrAppend(&out, "version ", version_, "\n");
  absl::StrAppend(&out, "expected_clients ", expected_clients_, "\n");
  absl::StrAppend(&out, "renews ", renews_.bucket_minute, " ", renews_.renews_in_bucket, " ",
                  renews_.renews_in_previous_bucket, "\n");
  absl::StrAppend(&out, "instance_count ", instance_count_, "\n");
  absl::StrAppend(&out, "status_counts");
  for (std::int64_t count : status_counts_) absl::StrAppend(&out, " ", count);
  out.append("\n");
  for (const auto& [instance_id, status] : overrides_) {
    out.append("override ").append(Quoted(instance_id)).append(" ");
    out.append(StatusName(status)).append("\n");
  }
  for (const auto& [name, application] : applications_) {
    absl::StrAppend(&out, "app ", Quoted(name), " ", application.instances.size(), "\n");
    for (const auto& [instance_id, record] : application.instances) {
      absl::StrAppend(&out, "  instance ", Quoted(instance_id), "\n");
      AppendRecord(&out, record);
    }
  }
  AppendVipIndex(&out, "vip", vips_);
  AppendVipIndex(&out, "svip", svips_);
  return out;
}

void Registry::ApplyRegister(const Event& event) {
  // Decide builds REGISTER events with the registrant and its key together,
  // and codecs reject events without one: a mismatch is a bug, not input.
  LOGBOOK_CHECK(event.instance.has_value());
  LOGBOOK_CHECK(event.instance->app == event.app);
  LOGBOOK_CHECK(event.instance->EffectiveId() == event.instance_id);

  const InstanceRecord* existing = Find(event.app, event.instance_id);
  // Newer lastDirtyTimestamp wins (eureka-protocol.md §4.2 step 2, applied
  // to replication): an older registrant does not replace the local copy.
  // A tie goes to the registrant, as in Eureka.
  if (IsFromPeer(event) && existing != nullptr &&
      existing->info.last_dirty_timestamp > event.instance->last_dirty_timestamp) {
    return;
  }
  TimestampMs service_up_ms = 0;
  // Most registrations are of new instances: the hash probe above spares
  // them Remove()'s walk down the ordered app and instance maps.
  std::optional<InstanceRecord> previous;
  if (existing != nullptr) previous = Remove(event.app, event.instance_id);
  if (previous.has_value()) {
    // §4.2 step 3: service-up time survives re-registration.
    service_up_ms = previous->lease.service_up_timestamp;
  } else if (expected_clients_ > 0) {
    // §4.2 step 2: only new registrations count, and a zero expectation stays
    // zero (Netflix standalone never evicts, §6.4).
    ++expected_clients_;
  }

  InstanceRecord record;
  record.info = *event.instance;
  record.info.last_updated_timestamp = event.timestamp_ms;
  record.lease = NewLease(record.info, event.timestamp_ms, service_up_ms);
  record.action_type = ActionType::kAdded;
  MarkShownChange(record, event.offset);
  // §4.2 step 4: Decide already resolved overridden_status against the map,
  // so this either re-stores the same value or transfers the registrant's.
  if (record.info.overridden_status != InstanceStatus::kUnknown) {
    overrides_[event.instance_id] = record.info.overridden_status;
  }
  Insert(std::move(record));
  RecordInWindow(event, nullptr);
  ++version_;
}

void Registry::ApplyRenew(const Event& event) {
  InstanceRecord* record = FindMutable(event.app, event.instance_id);
  if (record == nullptr) return;
  // Part A: the real renewal time, not now + duration.
  MoveLease(record->lease, event);
  if (event.renew_status.has_value() && *event.renew_status != record->info.status) {
    // E2 step 2 stores the recomputed status without touching lastDirty,
    // lastUpdated or actionType, and without a delta entry (as Eureka does);
    // the shown instance did change, so its fragment must be rebuilt.
    SetStatus(*record, *event.renew_status);
    MarkShownChange(*record, event.offset);
  }
  if (event.override_to_store.has_value()) {
    overrides_[event.instance_id] = *event.override_to_store;
  }
  if (event.counts_as_renewal) CountRenewal(event.timestamp_ms);
  ++version_;
}

void Registry::ApplyRemove(const Event& event) {
  if (event.type == EventType::kEvict && IsFromPeer(event)) {
    // Each node evicts from its own view of leases. A peer's EVICT removes
    // the instance only if this node knows no newer registration or renewal
    // than the evictor did: its lease expires no later than the evictor saw.
    const InstanceRecord* record = Find(event.app, event.instance_id);
    if (record != nullptr && record->lease.ExpiresAt() > event.evict_reason.lease_expired_at_ms) {
      return;
    }
  }
  // E3: the override goes even when no lease exists (overrides are keyed by
  // id alone, so one can outlive its instance).
  const bool had_override = overrides_.erase(event.instance_id) > 0;
  std::optional<InstanceRecord> removed = Remove(event.app, event.instance_id);
  if (!removed.has_value()) {
    if (had_override) ++version_;
    return;
  }
  removed->lease.eviction_timestamp = event.timestamp_ms;
  removed->action_type = ActionType::kDeleted;
  removed->info.last_updated_timestamp = event.timestamp_ms;
  MarkShownChange(*removed, event.offset);
  if (expected_clients_ > 0) --expected_clients_;
  RecordInWindow(event, std::make_shared<const InstanceRecord>(std::move(*removed)));
  ++version_;
}

void Registry::ApplyStatusUpdate(const Event& event) {
  InstanceRecord* record = FindMutable(event.app, event.instance_id);
  if (record == nullptr) return;
  if (IsStalePeerChange(*record, event)) return;
  // E4 step 3: proof of life, but not counted in the renewal meter.
  MoveLease(record->lease, event);
  ++version_;
  // E4 step 4: setting the current status again stores no override (quirk 12).
  if (record->info.status == event.status) return;
  if (event.status == InstanceStatus::kUp && record->lease.service_up_timestamp == 0) {
    record->lease.service_up_timestamp = event.timestamp_ms;
  }
  overrides_[event.instance_id] = event.status;
  record->info.overridden_status = event.status;
  SetStatus(*record, event.status);
  if (event.last_dirty_timestamp > record->info.last_dirty_timestamp) {
    record->info.last_dirty_timestamp = event.last_dirty_timestamp;
  }
  record->action_type = ActionType::kModified;
  record->info.last_updated_timestamp = event.timestamp_ms;
  MarkShownChange(*record, event.offset);
  RecordInWindow(event, nullptr);
}

void Registry::ApplyDeleteStatusOverride(const Event& event) {
  InstanceRecord* record = FindMutable(event.app, event.instance_id);
  if (record == nullptr) return;
  if (IsStalePeerChange(*record, event)) return;
  MoveLease(record->lease, event);
  ++version_;
  // E5 step 3: without a stored override nothing else changes.
  if (overrides_.erase(event.instance_id) == 0) return;
  record->info.overridden_status = InstanceStatus::kUnknown;
  SetStatus(*record, event.status);
  if (event.last_dirty_timestamp > record->info.last_dirty_timestamp) {
    record->info.last_dirty_timestamp = event.last_dirty_timestamp;
  }
  record->action_type = ActionType::kModified;
  record->info.last_updated_timestamp = event.timestamp_ms;
  MarkShownChange(*record, event.offset);
  RecordInWindow(event, nullptr);
}

void Registry::ApplyMetadataUpdate(const Event& event) {
  InstanceRecord* record = FindMutable(event.app, event.instance_id);
  if (record == nullptr) return;
  InstanceInfo& info = record->info;
  for (const auto& [key, value] : event.metadata) info.metadata[key] = value;

  // E6 step 3 re-registers the stored instance as a client registration
  // (isReplication=false). Against itself, §4.2 reduces to: transfer the
  // override (step 4), rerun the rule chain with the instance as its own
  // existing lease (step 5), new lease keeping service-up. It is computed here
  // from state alone, so the event need not carry it and replay is exact.
  if (info.overridden_status != InstanceStatus::kUnknown &&
      !overrides_.contains(event.instance_id)) {
    overrides_[event.instance_id] = info.overridden_status;
  }
  const std::optional<InstanceStatus> override_status = OverrideFor(event.instance_id);
  if (override_status.has_value()) info.overridden_status = *override_status;
  SetStatus(*record, EffectiveStatus(info.status, override_status, info.status,
                                     /*is_replication=*/false));
  // lastDirtyTimestamp is deliberately left alone (E6 step 3).
  record->lease = NewLease(info, event.timestamp_ms, record->lease.service_up_timestamp);
  record->action_type = ActionType::kAdded;
  info.last_updated_timestamp = event.timestamp_ms;
  MarkShownChange(*record, event.offset);
  RecordInWindow(event, nullptr);
  ++version_;
}

void Registry::ApplyInstanceSet(const Event& event) {
  // The merge decided against the state this event is applied to, so it is
  // applied as it stands: replay reproduces the decision without redoing it.
  if (!event.record.has_value()) {
    ApplyRemove(event);
    return;
  }
  // Codecs refuse a record keyed by another app or id.
  LOGBOOK_CHECK(event.record->info.app == event.app);
  LOGBOOK_CHECK(event.record->info.EffectiveId() == event.instance_id);
  const bool is_new = !Remove(event.app, event.instance_id).has_value();
  if (is_new && expected_clients_ > 0) ++expected_clients_;
  InstanceRecord record = *event.record;
  MarkShownChange(record, event.offset);
  if (event.override_to_store.has_value()) {
    overrides_[event.instance_id] = *event.override_to_store;
  } else {
    overrides_.erase(event.instance_id);
  }
  Insert(std::move(record));
  RecordInWindow(event, nullptr);
  ++version_;
}

void Registry::MarkShownChange(InstanceRecord& record, Offset offset) {
  record.last_change_offset = offset;
  ++shown_version_;
}

void Registry::Insert(InstanceRecord record) {
  ShareKnownValues(record.info);
  ++status_counts_[Index(record.info.status)];
  ++instance_count_;
  auto app_it = applications_.try_emplace(record.info.app).first;
  Application& application = app_it->second;
  application.name = app_it->first;
  std::string instance_id(record.info.EffectiveId());
  // Callers remove an instance before adding it again: this one is new.
  if (observer_ != nullptr) observer_->BeforeAdd(app_it->first, instance_id);
  auto it = application.instances.insert_or_assign(std::move(instance_id), std::move(record)).first;
  IndexInstance(*it);
}

std::optional<InstanceRecord> Registry::Remove(std::string_view app, std::string_view instance_id) {
  auto app_it = applications_.find(app);
  if (app_it == applications_.end()) return std::nullopt;
  auto& instances = app_it->second.instances;
  auto it = instances.find(instance_id);
  if (it == instances.end()) return std::nullopt;
  if (observer_ != nullptr) observer_->BeforeChange(app, instance_id, it->second);
  // Before the nodes go: the index keys view them.
  UnindexInstance(*it);
  InstanceRecord record = std::move(it->second);
  instances.erase(it);
  // E9/§3.2: applications with zero instances do not exist.
  if (instances.empty()) applications_.erase(app_it);
  --status_counts_[Index(record.info.status)];
  --instance_count_;
  return record;
}

void Registry::SetStatus(InstanceRecord& record, InstanceStatus status) {
  --status_counts_[Index(record.info.status)];
  ++status_counts_[Index(status)];
  record.info.status = status;
}

void Registry::RecordInWindow(const Event& event, std::shared_ptr<const InstanceRecord> removed) {
  window_.push_back(
      WindowEntry{event.timestamp_ms, event.app, event.instance_id, std::move(removed)});
  ++window_appended_;
}

void Registry::CountRenewal(TimestampMs timestamp_ms) {
  const std::int64_t minute = timestamp_ms / kMinuteMs;
  if (minute == renews_.bucket_minute) {
    ++renews_.renews_in_bucket;
  } else if (minute > renews_.bucket_minute) {
    // The bucket we are leaving becomes "previous" only if it is the minute
    // right before; after a silent gap the previous minute had no renewals.
    renews_.renews_in_previous_bucket =
        minute == renews_.bucket_minute + 1 ? renews_.renews_in_bucket : 0;
    renews_.bucket_minute = minute;
    renews_.renews_in_bucket = 1;
  } else if (minute == renews_.bucket_minute - 1) {
    // Events from peers can carry slightly older timestamps.
    ++renews_.renews_in_previous_bucket;
  }
  // Older still: outside both buckets, nothing to count.
}

}  // namespace logbook::core
