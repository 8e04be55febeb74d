#include "storage/audit_index.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

// How far back (audited events of one instance) History looks for the status
// before a status-setting event. Between two status changes of an instance
// there are only a few audited events (metadata updates), so this is plenty;
// past it, status_before is left unknown rather than costing a long walk.
constexpr int kMaxStatusLookback = 64;

void AppendBigEndian(std::uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

std::uint64_t TrailingOffset(const rocksdb::Slice& key) {
  std::uint64_t value = 0;
  for (std::size_t i = key.size() - 8; i < key.size(); ++i) {
    value = (value << 8) | static_cast<unsigned char>(key[i]);
  }
  return value;
}

std::string InstancePrefix(std::string_view app, std::string_view instance_id) {
  std::string key = "i|";
  key.append(app);
  key.push_back('\0');
  key.append(instance_id);
  key.push_back('\0');
  return key;
}

std::string AppPrefix(std::string_view app) {
  std::string key = "a|";
  key.append(app);
  key.push_back('\0');
  return key;
}

bool Wanted(const core::AuditQuery& query, const core::Event& event) {
  if (query.since_ms.has_value() && event.timestamp_ms < *query.since_ms) return false;
  if (query.until_ms.has_value() && event.timestamp_ms > *query.until_ms) return false;
  if (query.types.empty()) return true;
  return std::find(query.types.begin(), query.types.end(), event.type) != query.types.end();
}

// Reads audited events under one RocksDB snapshot, so an index entry and its
// event are seen together even while retention drops old ranges.
class Reader {
 public:
  explicit Reader(const AuditSource& db)
      : db_(db), snapshot_(db.use_snapshot ? db.db->GetSnapshot() : nullptr) {
    options_.snapshot = snapshot_;
  }
  ~Reader() {
    if (snapshot_ != nullptr) db_.db->ReleaseSnapshot(snapshot_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const rocksdb::ReadOptions& options() const { return options_; }

  absl::StatusOr<core::Event> Get(core::Offset offset) const {
    std::string value;
    const rocksdb::Status status =
        db_.db->Get(options_, db_.audit, EventKey(offset), &value);
    if (status.IsNotFound()) {
      return absl::DataLossError(absl::StrCat("audit index in ", db_.data_dir,
                                              " names offset ", offset,
                                              " but the audit log does not hold it"));
    }
    RETURN_IF_ERROR(FromRocksDb(
        status, {.operation = "Get", .column_family = kAuditColumnFamily, .offset = offset}));
    return DecodeEvent(value, offset);
  }

  // The offset of the first time-index entry at or after `timestamp_ms`, or
  // nullopt when there is none.
  absl::StatusOr<std::optional<core::Offset>> FirstAtOrAfter(core::TimestampMs timestamp_ms) const {
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(options_, db_.audit_index));
    it->Seek(AuditTimeKey(timestamp_ms, 0));
    RETURN_IF_ERROR(FromRocksDb(it->status(),
                                {.operation = "Seek", .column_family = kAuditIndexColumnFamily}));
    if (!it->Valid() || !it->key().starts_with("t|")) return std::optional<core::Offset>();
    return std::optional<core::Offset>(TrailingOffset(it->key()));
  }

  // The offset of the last time-index entry at or before `timestamp_ms`.
  absl::StatusOr<std::optional<core::Offset>> LastAtOrBefore(core::TimestampMs timestamp_ms) const {
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(options_, db_.audit_index));
    it->SeekForPrev(AuditTimeKey(timestamp_ms, std::numeric_limits<core::Offset>::max()));
    RETURN_IF_ERROR(FromRocksDb(
        it->status(), {.operation = "SeekForPrev", .column_family = kAuditIndexColumnFamily}));
    if (!it->Valid() || !it->key().starts_with("t|")) return std::optional<core::Offset>();
    return std::optional<core::Offset>(TrailingOffset(it->key()));
  }

  // The status the audit log last set for the instance before `offset`.
  absl::StatusOr<std::optional<core::InstanceStatus>> StatusBefore(const core::Event& event,
                                                                   core::Offset first) const {
    const std::string prefix = InstancePrefix(event.app, event.instance_id);
    std::unique_ptr<rocksdb::Iterator> it(db_.db->NewIterator(options_, db_.audit_index));
    int seen = 0;
    for (it->SeekForPrev(AuditInstanceKey(event.app, event.instance_id, event.offset - 1));
         it->Valid() && it->key().starts_with(prefix) && seen < kMaxStatusLookback;
         it->Prev(), ++seen) {
      const core::Offset offset = TrailingOffset(it->key());
      if (offset < first) break;
      ASSIGN_OR_RETURN(const core::Event previous, Get(offset));
      switch (previous.type) {
        case core::EventType::kRegister:
          if (previous.instance.has_value()) return std::optional(previous.instance->status);
          return std::optional<core::InstanceStatus>();
        case core::EventType::kStatusUpdate:
        case core::EventType::kDeleteStatusOverride:
          return std::optional(previous.status);
        case core::EventType::kInstanceSet:
          if (previous.record.has_value()) return std::optional(previous.record->info.status);
          return std::optional<core::InstanceStatus>();
        case core::EventType::kCancel:
        case core::EventType::kEvict:
          return std::optional<core::InstanceStatus>();
        default:
          break;
      }
    }
    RETURN_IF_ERROR(FromRocksDb(it->status(), {.operation = "Iterate",
                                               .column_family = kAuditIndexColumnFamily}));
    return std::optional<core::InstanceStatus>();
  }

 private:
  const AuditSource& db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

}  // namespace

bool IsAudited(core::EventType type) { return type != core::EventType::kRenew; }

std::string AuditInstanceKey(std::string_view app, std::string_view instance_id,
                             core::Offset offset) {
  std::string key = InstancePrefix(app, instance_id);
  AppendBigEndian(offset, &key);
  return key;
}

std::string AuditAppKey(std::string_view app, core::Offset offset) {
  std::string key = AppPrefix(app);
  AppendBigEndian(offset, &key);
  return key;
}

std::string AuditTimeKey(core::TimestampMs timestamp_ms, core::Offset offset) {
  std::string key = "t|";
  // Flipping the sign bit makes bytewise order signed order.
  AppendBigEndian(static_cast<std::uint64_t>(timestamp_ms) ^ (std::uint64_t{1} << 63), &key);
  AppendBigEndian(offset, &key);
  return key;
}

std::vector<std::string> AuditIndexKeys(const core::Event& event) {
  std::vector<std::string> keys;
  AuditIndexKeysInto(event, &keys);
  return keys;
}

void AuditIndexKeysInto(const core::Event& event, std::vector<std::string>* keys) {
  keys->resize(event.app.empty() ? 1 : 3);
  std::string& time_key = (*keys)[0];
  time_key.assign("t|");
  // Flipping the sign bit makes bytewise order signed order.
  AppendBigEndian(static_cast<std::uint64_t>(event.timestamp_ms) ^ (std::uint64_t{1} << 63),
                  &time_key);
  AppendBigEndian(event.offset, &time_key);
  if (event.app.empty()) return;
  std::string& app_key = (*keys)[1];
  app_key.assign("a|");
  app_key.append(event.app);
  app_key.push_back('\0');
  AppendBigEndian(event.offset, &app_key);
  std::string& instance_key = (*keys)[2];
  instance_key.assign("i|");
  instance_key.append(event.app);
  instance_key.push_back('\0');
  instance_key.append(event.instance_id);
  instance_key.push_back('\0');
  AppendBigEndian(event.offset, &instance_key);
}

AuditIndex::AuditIndex(const Db& db, const std::atomic<core::Offset>& first_offset)
    : AuditIndex(AuditSource{db.raw(), db.audit(), db.audit_index(), db.data_dir(), true},
                 first_offset) {}

absl::StatusOr<core::AuditPage> AuditIndex::History(const core::AuditQuery& query) const {
  if (query.limit == 0) return absl::InvalidArgumentError("limit must be positive");
  if (query.app.empty() && !query.instance_id.empty()) {
    return absl::InvalidArgumentError("an instance needs its app");
  }
  // The snapshot first, the floor second: retention raises the floor before
  // it deletes, so everything at or above the floor is in the snapshot.
  const Reader reader(source_);
  const core::Offset first = first_offset_.load();

  core::AuditPage page;
  page.first_offset = first;
  core::Offset lower = std::max({query.from, first, core::Offset{1}});
  core::Offset upper = std::numeric_limits<core::Offset>::max();  // inclusive
  // Time bounds become offset bounds through the t| index. Timestamps come
  // from one node's clock in offset order, so this is exact unless the clock
  // stepped back; each event is still filtered by its own timestamp.
  bool empty_range = false;
  if (query.since_ms.has_value()) {
    ASSIGN_OR_RETURN(const std::optional<core::Offset> since, reader.FirstAtOrAfter(*query.since_ms));
    if (since.has_value()) {
      lower = std::max(lower, *since);
    } else {
      empty_range = true;
    }
  }
  if (query.until_ms.has_value()) {
    ASSIGN_OR_RETURN(const std::optional<core::Offset> until, reader.LastAtOrBefore(*query.until_ms));
    if (until.has_value()) {
      upper = *until;
    } else {
      empty_range = true;
    }
  }
  page.next = lower;
  if (empty_range || lower > upper) return page;

  // Either the audit log itself (no app: every audited event in offset
  // order), or an index prefix whose entries are in offset order.
  std::string prefix;
  rocksdb::ColumnFamilyHandle* family = source_.audit;
  std::string start_key = EventKey(lower);
  if (!query.app.empty()) {
    family = source_.audit_index;
    prefix = query.instance_id.empty() ? AppPrefix(query.app)
                                       : InstancePrefix(query.app, query.instance_id);
    start_key = prefix;
    AppendBigEndian(lower, &start_key);
  }
  std::unique_ptr<rocksdb::Iterator> it(source_.db->NewIterator(reader.options(), family));
  for (it->Seek(start_key); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (!prefix.empty() && (!key.starts_with(prefix) || key.size() != prefix.size() + 8)) break;
    const core::Offset offset = TrailingOffset(key);
    if (offset > upper) break;
    core::Event event;
    if (prefix.empty()) {
      const rocksdb::Slice value = it->value();
      ASSIGN_OR_RETURN(event, DecodeEvent(std::string_view(value.data(), value.size()), offset));
    } else {
      ASSIGN_OR_RETURN(event, reader.Get(offset));
    }
    page.next = offset + 1;
    if (!Wanted(query, event)) continue;
    core::AuditEntry entry;
    if (event.type == core::EventType::kRegister || event.type == core::EventType::kStatusUpdate ||
        event.type == core::EventType::kDeleteStatusOverride ||
        (event.type == core::EventType::kInstanceSet && event.record.has_value())) {
      ASSIGN_OR_RETURN(entry.status_before, reader.StatusBefore(event, first));
    }
    entry.event = std::move(event);
    page.entries.push_back(std::move(entry));
    if (page.entries.size() >= query.limit) break;
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), {.operation = "Iterate", .column_family = prefix.empty()
                                                                           ? kAuditColumnFamily
                                                                           : kAuditIndexColumnFamily}));
  return page;
}

}  // namespace logbook::storage
