#pragma once
// The registry: a deterministic projection of the event log. Apply() is the
// only mutator (used by the write path, recovery and replication alike);
// everything else is a const view.
//
// Thread: owned by the event-loop thread; not synchronized.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/instance.h"

namespace logbook::core {

struct RegistryOptions {
  // Spring's eureka.instance.registry.expected-number-of-clients-sending-renews.
  std::int64_t initial_expected_clients = 1;
  // eureka.server.retention-time-in-ms-in-delta-queue.
  std::int64_t delta_retention_ms = 180000;
};

struct Application {
  std::string name;
  // By instance id; transparent so lookups by string_view don't allocate.
  std::map<std::string, InstanceRecord, std::less<>> instances;
};

// One instance in a delta, in its current state (or its last state if deleted).
struct DeltaEntry {
  std::string app;
  std::string instance_id;
  ActionType action = ActionType::kAdded;
  const InstanceRecord* record = nullptr;  // valid until the next Apply()
};

// Number of instances per status, indexed by InstanceStatus.
using StatusCounts = std::array<std::int64_t, 5>;

// One touch of the delta window (§5.2, Part A), in event order.
struct WindowEntry {
  TimestampMs timestamp_ms = 0;
  // Compact: during a registration storm the window holds one entry per instance.
  CompactString app;
  CompactString instance_id;
  // Set for CANCEL/EVICT: the instance as it was removed.
  std::shared_ptr<const InstanceRecord> removed;
};

// Renewals per wall-clock minute (ts / 60000): the current and previous bucket.
struct RenewMeter {
  std::int64_t bucket_minute = 0;
  std::int64_t renews_in_bucket = 0;
  std::int64_t renews_in_previous_bucket = 0;
  bool operator==(const RenewMeter&) const = default;
};

// Told of each instance change before it happens, while attached to a
// registry (Registry::SetChangeObserver): a snapshot cut taken at one offset
// keeps, copy-on-write, what it has not encoded yet as it was.
class InstanceChangeObserver {
 public:
  virtual ~InstanceChangeObserver() = default;
  // `record`, keyed (app, instance_id), is about to change or go.
  virtual void BeforeChange(std::string_view app, std::string_view instance_id,
                            const InstanceRecord& record) = 0;
  // An instance the registry does not hold is about to be added.
  virtual void BeforeAdd(std::string_view app, std::string_view instance_id) = 0;
};

// Everything a registry holds that is not derived from the rest (the VIP
// indexes, instance and status counts are): what a snapshot stores.
struct RegistryState {
  std::map<std::string, Application, std::less<>> applications;
  std::map<std::string, InstanceStatus, std::less<>> overrides;
  std::uint64_t version = 0;
  Offset last_applied_offset = kNoOffset;
  std::int64_t expected_clients = 0;
  RenewMeter renews;
  std::deque<WindowEntry> window;
};

class Registry {
 public:
  explicit Registry(RegistryOptions options = {});
  // A copy rebuilds the lookup indexes: they view the source's map keys.
  Registry(const Registry& other);
  Registry& operator=(const Registry& other);
  Registry(Registry&&) = default;
  Registry& operator=(Registry&&) = default;

  // Builds the registry that `state` describes (restoring a snapshot is
  // construction, not mutation), recomputing every derived index.
  // InvalidArgument, naming the first problem, when `state` is not one a
  // registry could hold: an empty application, a key that is not the
  // instance's app or effective id, an out-of-range status or action.
  static absl::StatusOr<std::unique_ptr<Registry>> FromState(RegistryOptions options,
                                                            RegistryState state);

  // The one mutation path. Events must come in offset order; an event whose
  // target does not exist (e.g. RENEW of an unknown instance) changes only
  // the applied offset. Deterministic: same events -> same state. Events
  // pulled from a Logbook peer (source kLogbookPeer) follow the conflict
  // rules of docs/replication.md, decided from the event and the state alone
  // so replay reproduces them.
  void Apply(const Event& event);

  const InstanceRecord* Find(std::string_view app, std::string_view instance_id) const;
  // First match across applications (E11).
  const InstanceRecord* FindById(std::string_view instance_id) const;
  const Application* FindApplication(std::string_view app) const;
  // Sorted by app name; applications with zero instances are absent.
  const std::map<std::string, Application, std::less<>>& applications() const {
    return applications_;
  }
  // Instances whose vipAddress (secure: secureVipAddress), split on ',' without
  // trimming, contains exactly `vip` (case-sensitive). Sorted by (app, id).
  std::vector<const InstanceRecord*> ByVip(std::string_view vip, bool secure) const;

  // Status overrides by instance id (E16, §4.4 rule 2).
  const std::map<std::string, InstanceStatus, std::less<>>& overrides() const {
    return overrides_;
  }
  std::optional<InstanceStatus> OverrideFor(std::string_view instance_id) const;

  std::int64_t instance_count() const { return instance_count_; }
  const StatusCounts& status_counts() const { return status_counts_; }
  // Changes whenever anything in the registry's state changes (renewals included).
  std::uint64_t version() const { return version_; }
  // Changes whenever an instance is added or removed or its record changes
  // beyond the lease's last renewal time: the key of cached documents, so
  // that renewals, the bulk of the writes, leave them valid (README,
  // "lastRenewalTimestamp in cached documents"). Not persisted: it starts
  // again from version() when a registry is built from a state.
  std::uint64_t shown_version() const { return shown_version_; }
  Offset last_applied_offset() const { return last_applied_offset_; }

  // Self-preservation state (§6.1, §6.2), all derived from events.
  std::int64_t expected_clients() const { return expected_clients_; }
  // Renewals counted in the previous complete wall-clock minute before now_ms.
  std::int64_t RenewsLastMinute(TimestampMs now_ms) const;

  // Instances touched by non-renew events within the delta window ending at
  // now_ms, each once per app, in first-touch order (§5.2, Part A).
  std::vector<DeltaEntry> Delta(TimestampMs now_ms) const;

  // The delta window and renew meter, for snapshots.
  const std::deque<WindowEntry>& window() const { return window_; }
  // Entries ever appended to window(), by this registry and the one it was
  // copied or built from: while `window_appended() - n` is at most
  // window().size(), the window's last that many entries are those appended
  // since the count was n (a snapshot merge reads only those each task).
  std::uint64_t window_appended() const { return window_appended_; }
  const RenewMeter& renew_meter() const { return renews_; }

  // Canonical byte serialization of the whole state (excluding the delta
  // window), for determinism tests and later snapshots.
  std::string Serialize() const;

  const RegistryOptions& options() const { return options_; }

  // At most one observer; nullptr detaches. A copy starts detached; a move
  // carries the observer along with the state it watches.
  void SetChangeObserver(InstanceChangeObserver* observer) { observer_ = observer; }
  // While set, the window keeps every entry appended at or after that count
  // (window_appended()) even once it ages out: a snapshot cut still has to
  // encode them. Delta() filters by time, so what it answers is unchanged;
  // the entries go at the first Apply() after the pin is lifted.
  void PinWindow(std::optional<std::uint64_t> first_kept) { window_pin_ = first_kept; }

 private:
  InstanceRecord* FindMutable(std::string_view app, std::string_view instance_id);
  void ApplyRegister(const Event& event);
  void ApplyRenew(const Event& event);
  void ApplyRemove(const Event& event);
  void ApplyStatusUpdate(const Event& event);
  void ApplyDeleteStatusOverride(const Event& event);
  void ApplyMetadataUpdate(const Event& event);
  void ApplyInstanceSet(const Event& event);
  // The indexes below hold pointers to the nodes of the applications' maps
  // (std::map nodes never move, so one lives exactly as long as its
  // instance): 8 bytes per entry instead of a copy or view of (app, id).
  // An entry's key is the instance id; its record's info.app is the app.
  using InstanceEntry = std::map<std::string, InstanceRecord, std::less<>>::value_type;
  // (app, instance id), what lookups take.
  using InstanceKey = std::pair<std::string_view, std::string_view>;
  static InstanceKey KeyOf(const InstanceEntry* entry) {
    return InstanceKey(entry->second.info.app, entry->first);
  }
  static InstanceKey KeyOf(const InstanceKey& key) { return key; }
  struct EntryHash {
    using is_transparent = void;
    template <typename Key>
    std::size_t operator()(const Key& key) const {
      return absl::Hash<InstanceKey>()(KeyOf(key));
    }
  };
  struct EntryEqual {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return KeyOf(a) == KeyOf(b);
    }
  };
  // By (app, id), so that VIP answers come out sorted as the documents are.
  // The app is compared once, three-way: std::pair's < compares it twice when
  // equal, which it nearly always is within a VIP (a registration's insert
  // into a VIP of N instances makes ~log2 N comparisons).
  struct EntryOrder {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      const InstanceKey left = KeyOf(a);
      const InstanceKey right = KeyOf(b);
      if (const int by_app = left.first.compare(right.first); by_app != 0) return by_app < 0;
      return left.second < right.second;
    }
  };
  using VipIndex =
      std::map<std::string, absl::btree_set<const InstanceEntry*, EntryOrder>, std::less<>>;
  void IndexInstance(const InstanceEntry& entry);
  void UnindexInstance(const InstanceEntry& entry);
  // Recomputes every derived index and count from applications_ in one walk,
  // first passing each entry to `check` (with its application's key); the
  // first error is returned at once, the indexes then incomplete.
  absl::Status RebuildIndexes(
      absl::FunctionRef<absl::Status(const std::string& app, InstanceEntry& entry)> check);
  // A change the documents show: the record's fragment key and the cached
  // documents' version move together (every shown change goes through here).
  void MarkShownChange(InstanceRecord& record, Offset offset);
  void Insert(InstanceRecord record);
  std::optional<InstanceRecord> Remove(std::string_view app, std::string_view instance_id);
  void SetStatus(InstanceRecord& record, InstanceStatus status);
  void RecordInWindow(const Event& event, std::shared_ptr<const InstanceRecord> removed);
  void CountRenewal(TimestampMs timestamp_ms);

  RegistryOptions options_;
  std::map<std::string, Application, std::less<>> applications_;
  std::map<std::string, InstanceStatus, std::less<>> overrides_;
  // Every instance by (app, id): one hash probe per lookup instead of two
  // tree descents with string compares (each renewal looks up twice).
  absl::flat_hash_set<const InstanceEntry*, EntryHash, EntryEqual> by_key_;
  // vip -> (app, id), for vipAddress and secureVipAddress.
  VipIndex vips_;
  VipIndex svips_;
  std::int64_t instance_count_ = 0;
  StatusCounts status_counts_{};
  std::uint64_t version_ = 0;
  std::uint64_t shown_version_ = 0;
  Offset last_applied_offset_ = kNoOffset;
  std::int64_t expected_clients_;
  RenewMeter renews_;
  std::deque<WindowEntry> window_;
  std::uint64_t window_appended_ = 0;
  InstanceChangeObserver* observer_ = nullptr;
  std::optional<std::uint64_t> window_pin_;
};

}  // namespace logbook::core
