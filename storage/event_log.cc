#include "storage/event_log.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/instance.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "storage/audit_index.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/group_commit_writer.h"
#include "storage/peer_cursor_store.h"
#include "storage/rocksdb_status.h"

namespace logbook::storage {
namespace {

// A generated node id: stable once stored, unique enough that two nodes
// started without --node-id do not collide.
std::string NewNodeId() {
  absl::BitGen gen;
  return absl::StrFormat("node-%012x", absl::Uniform<std::uint64_t>(gen) & 0xFFFFFFFFFFFFull);
}

absl::StatusOr<std::string> LoadNodeId(Db& db, const std::string& requested) {
  if (!requested.empty() && !core::IsValidName(requested)) {
    return absl::InvalidArgumentError(
        absl::StrCat("node id '", requested, "' is not a valid name"));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> stored, db.GetMeta(kMetaNodeIdKey));
  if (stored.has_value() && (requested.empty() || *stored == requested)) return *std::move(stored);
  std::string node_id = requested.empty() ? NewNodeId() : requested;
  RETURN_IF_ERROR(db.PutMeta(kMetaNodeIdKey, node_id));
  return node_id;
}

// The offset stored in an iterator's key, or DataLoss naming the key.
absl::StatusOr<core::Offset> KeyOffset(const rocksdb::Iterator& it) {
  const rocksdb::Slice key = it.key();
  std::optional<core::Offset> offset = ParseEventKey(std::string_view(key.data(), key.size()));
  if (!offset.has_value() || *offset == core::kNoOffset) {
    return absl::DataLossError(absl::StrCat("column family 'events' holds a malformed key of ",
                                            key.size(), " bytes: ", key.ToString(/*hex=*/true)));
  }
  return *offset;
}

// A retention floor stored in `meta` (8 bytes big-endian), or 1 when absent.
absl::StatusOr<core::Offset> LoadFloor(Db& db, std::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, db.GetMeta(key));
  if (!stored.has_value()) return core::Offset{1};
  std::optional<core::Offset> offset = ParseEventKey(*stored);
  if (!offset.has_value() || *offset == core::kNoOffset) {
    return absl::DataLossError(absl::StrCat("data dir ", db.data_dir(), ": meta '", std::string(key),
                                            "' holds ", stored->size(), " unreadable bytes"));
  }
  return *offset;
}

// Reads the first and last key of `events`: {first, last}, or {first_offset
// in meta, that - 1} when empty. After retention the first key is the stored
// first_offset; anything else is damage, reported by Replay as a missing
// offset.
absl::StatusOr<std::pair<core::Offset, core::Offset>> OffsetBounds(Db& db) {
  ASSIGN_OR_RETURN(const core::Offset retained, LoadFloor(db, kMetaFirstOffsetKey));
  std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator(rocksdb::ReadOptions(), db.events()));
  it->SeekToLast();
  RETURN_IF_ERROR(
      FromRocksDb(it->status(), {.operation = "SeekToLast", .column_family = kEventsColumnFamily}));
  if (!it->Valid()) return std::pair<core::Offset, core::Offset>(retained, retained - 1);
  ASSIGN_OR_RETURN(const core::Offset last, KeyOffset(*it));
  it->SeekToFirst();
  RETURN_IF_ERROR(FromRocksDb(it->status(),
                              {.operation = "SeekToFirst", .column_family = kEventsColumnFamily}));
  if (!it->Valid()) {
    return absl::InternalError("column family 'events' has a last key but no first key");
  }
  ASSIGN_OR_RETURN(const core::Offset first, KeyOffset(*it));
  // Without a stored first_offset nothing was ever dropped: the first key
  // is the first offset (1 unless damaged, which Replay reports).
  const bool dropped = retained > 1;
  return std::pair<core::Offset, core::Offset>(dropped ? retained : first, last);
}

}  // namespace

struct EventLog::Impl {
  std::unique_ptr<Db> db;
  // Outlives the writer that publishes to it.
  std::string node_id;
  // Any thread: retention will move it while readers run.
  std::atomic<core::Offset> first_offset{1};
  std::atomic<core::Offset> audit_first_offset{1};
  std::unique_ptr<AuditIndex> audit;
  std::map<std::string, core::PeerCursor> initial_peer_cursors;
  // Appended since the last WakeWriter() (loop thread only).
  bool appended_unannounced = false;
  // Loop thread only: the next Append()'s batch (see there).
  EncodedBatch spare_batch;

  absl::StatusOr<core::Offset> Append(std::span<core::Event> events,
                                      const core::PeerCursor* cursor);
  // Declared after `db` so they are destroyed (and joined) first.
  std::unique_ptr<GroupCommitWriter> writer;
  std::unique_ptr<Retention> retention;

  // Visits the stored values of [from, through] in order, stopping early
  // when `visit` returns false; a missing offset is DataLoss.
  absl::Status ScanRaw(core::Offset from, core::Offset through,
                       const std::function<bool(core::Offset, std::string_view)>& visit) const;
  // Decodes events [from, through] in order into `visit`, verifying that
  // none is missing or damaged.
  absl::Status Scan(core::Offset from, core::Offset through,
                    const std::function<void(core::Event&&)>& visit) const;
};

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const EventLogOptions& options,
                                                         DurabilityCallback on_durable) {
  auto impl = std::make_unique<Impl>();
  ASSIGN_OR_RETURN(impl->db, Db::Open(options.data_dir));
  ASSIGN_OR_RETURN(impl->node_id, LoadNodeId(*impl->db, options.node_id));
  ASSIGN_OR_RETURN(const auto bounds, OffsetBounds(*impl->db));
  impl->first_offset.store(bounds.first);
  ASSIGN_OR_RETURN(const core::Offset audit_first, LoadFloor(*impl->db, kMetaAuditFirstOffsetKey));
  impl->audit_first_offset.store(audit_first);
  impl->db->SetAuditIndexFloor(audit_first);
  impl->audit = std::make_unique<AuditIndex>(*impl->db, impl->audit_first_offset);
  ASSIGN_OR_RETURN(impl->initial_peer_cursors, LoadPeerCursors(*impl->db));
  // Whatever is in the DB at open is durable by definition: it survived.
  impl->writer = std::make_unique<GroupCommitWriter>(
      impl->db->raw(), impl->db->events(), options.sync, bounds.second, std::move(on_durable),
      AuditFamilies{impl->db->audit(), impl->db->audit_index()}, options.disk_full_probe_ms,
      options.on_commit, impl->db->meta());
  GroupCommitWriter* writer = impl->writer.get();
  impl->retention = std::make_unique<Retention>(
      *impl->db, options.retention, impl->first_offset, impl->audit_first_offset,
      [writer] { return writer->durable_offset(); });
  return std::unique_ptr<EventLog>(new EventLog(std::move(impl)));
}

EventLog::EventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EventLog::~EventLog() { Stop(); }

void EventLog::Start() { impl_->writer->Start(); }

void EventLog::AllowResume() { impl_->writer->AllowResume(); }

void EventLog::Stop() {
  impl_->retention->Stop();
  impl_->writer->Stop();
}

const core::AuditJournal& EventLog::audit() const { return *impl_->audit; }

core::Offset EventLog::audit_first_offset() const { return impl_->audit_first_offset.load(); }

void EventLog::SetRetentionFloor(core::Offset floor) { impl_->retention->SetFloor(floor); }

absl::StatusOr<RetentionRun> EventLog::RunRetention(core::TimestampMs now_ms) {
  return impl_->retention->RunOnce(now_ms);
}

void EventLog::StartRetention(const core::Clock& clock) { impl_->retention->Start(clock); }

absl::StatusOr<core::Offset> EventLog::Append(std::span<core::Event> events) {
  return impl_->Append(events, nullptr);
}

absl::StatusOr<core::Offset> EventLog::AppendWithCursor(std::span<core::Event> events,
                                                        const core::PeerCursor& cursor) {
  return impl_->Append(events, &cursor);
}

const std::map<std::string, core::PeerCursor>& EventLog::initial_peer_cursors() const {
  return impl_->initial_peer_cursors;
}

absl::StatusOr<core::Offset> EventLog::Impl::Append(std::span<core::Event> events,
                                                    const core::PeerCursor* cursor) {
  RETURN_IF_ERROR(writer->status());
  // The writer's count, not one of our own: a disk-full failure rewinds it.
  const core::Offset last = writer->last_submitted();
  if (events.empty() && cursor == nullptr) return last;

  // A batch the writer has written, handed back by the last Submit(): its
  // buffers take this one's bytes without allocating, once they are as large.
  EncodedBatch& batch = spare_batch;
  batch.first_offset = last + 1;
  batch.meta_puts.clear();
  std::size_t audited = 0;  // entries of batch.audited in use
  if (cursor != nullptr) {
    batch.meta_puts.emplace_back(PeerCursorKey(cursor->peer_node_id),
                                 EncodePeerCursorValue(*cursor));
  }
  batch.values.resize(events.size());
  for (std::string& value : batch.values) value.clear();
  // Filled in place so the caller sees the offsets; undone below if the
  // writer refuses the batch, since a failed Append assigns nothing.
  absl::InlinedVector<bool, 16> filled_origin(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    core::Event& event = events[i];
    event.offset = batch.first_offset + i;
    if (event.origin_node.empty()) {
      event.origin_node = node_id;
      event.origin_offset = event.offset;
      filled_origin[i] = true;
    }
    EncodeEvent(event, &batch.values[i]);
    if (IsAudited(event.type)) {
      if (audited == batch.audited.size()) batch.audited.emplace_back();
      EncodedBatch::Audited& entry = batch.audited[audited++];
      entry.index = i;
      AuditIndexKeysInto(event, &entry.index_keys);
    }
  }
  batch.audited.resize(audited);
  if (absl::Status submitted = writer->Submit(std::move(batch), &spare_batch); !submitted.ok()) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      events[i].offset = core::kNoOffset;
      if (filled_origin[i]) {
        events[i].origin_node.clear();
        events[i].origin_offset = core::kNoOffset;
      }
    }
    return submitted;
  }
  appended_unannounced = true;
  return last + events.size();
}

void EventLog::DeferWriterWakeups() { impl_->writer->DeferWakeups(); }

void EventLog::WakeWriter() {
  if (!impl_->appended_unannounced) return;
  impl_->appended_unannounced = false;
  impl_->writer->WakeUp();
}

core::Offset EventLog::last_offset() const { return impl_->writer->last_submitted(); }

core::Offset EventLog::first_offset() const { return impl_->first_offset.load(); }

Db& EventLog::db() const { return *impl_->db; }


core::Offset EventLog::durable_offset() const { return impl_->writer->durable_offset(); }

const std::string& EventLog::node_id() const { return impl_->node_id; }

const std::string& EventLog::log_identity() const { return impl_->db->log_identity(); }

EventLogStats EventLog::stats() const { return impl_->writer->stats(); }

absl::Status EventLog::Replay(core::Offset from,
                              const std::function<void(const core::Event&)>& apply) {
  if (from == core::kNoOffset) return absl::InvalidArgumentError("offsets start at 1");
  const core::Offset first = impl_->first_offset.load();
  if (from < first) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", from, " is before the oldest retained offset ", first));
  }
  const core::Offset last = last_offset();
  if (from > last + 1) {
    return absl::OutOfRangeError(absl::StrCat(
        "offset ", from, " is past the end of the log (last offset ", last, ")"));
  }
  return impl_->Scan(from, last, [&apply](core::Event&& event) { apply(event); });
}

absl::Status EventLog::Read(core::Offset from, std::size_t max_events,
                            std::vector<core::Event>* out) const {
  absl::Status decoded;
  absl::Status read = ReadRaw(from, max_events, [&](core::Offset offset, std::string_view value) {
    absl::StatusOr<core::Event> event = DecodeEvent(value, offset);
    if (!event.ok()) {
      decoded = event.status();
      return false;
    }
    out->push_back(*std::move(event));
    return true;
  });
  if (!read.ok()) {
    out->clear();
    return read;
  }
  if (!decoded.ok() && from < impl_->first_offset.load()) {
    // Retention dropped the range while we read it: not damage.
    out->clear();
    return absl::OutOfRangeError(absl::StrCat("offset ", from,
                                              " is before the oldest retained offset ",
                                              impl_->first_offset.load()));
  }
  return decoded;
}

absl::Status EventLog::ReadRaw(
    core::Offset from, std::size_t max_events,
    const std::function<bool(core::Offset, std::string_view)>& visit) const {
  if (from == core::kNoOffset) return absl::InvalidArgumentError("offsets start at 1");
  const core::Offset first = impl_->first_offset.load();
  if (from < first) {
    return absl::OutOfRangeError(
        absl::StrCat("offset ", from, " is before the oldest retained offset ", first));
  }
  // Loaded before reading: everything up to it is already in RocksDB.
  const core::Offset durable = impl_->writer->durable_offset();
  if (max_events == 0 || from > durable) return absl::OkStatus();
  const core::Offset through = durable - from + 1 <= max_events ? durable : from + (max_events - 1);
  absl::Status scanned = impl_->ScanRaw(from, through, visit);
  if (!scanned.ok() && from < impl_->first_offset.load()) {
    // Retention dropped the range while we read it: not damage.
    return absl::OutOfRangeError(absl::StrCat("offset ", from,
                                              " is before the oldest retained offset ",
                                              impl_->first_offset.load()));
  }
  return scanned;
}

absl::Status EventLog::Impl::Scan(core::Offset from, core::Offset through,
                                  const std::function<void(core::Event&&)>& visit) const {
  absl::Status decoded;
  RETURN_IF_ERROR(ScanRaw(from, through, [&](core::Offset offset, std::string_view value) {
    absl::StatusOr<core::Event> event = DecodeEvent(value, offset);
    if (!event.ok()) {
      decoded = event.status();
      return false;
    }
    visit(*std::move(event));
    return true;
  }));
  return decoded;
}

absl::Status EventLog::Impl::ScanRaw(
    core::Offset from, core::Offset through,
    const std::function<bool(core::Offset, std::string_view)>& visit) const {
  if (from > through) return absl::OkStatus();
  const std::string start_key = EventKey(from);
  // Exclusive bound, so RocksDB stops at `through` without reading further.
  const std::string end_key = EventKey(through + 1);
  const rocksdb::Slice upper_bound(end_key);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db->raw()->NewIterator(read_options, db->events()));

  core::Offset expected = from;
  for (it->Seek(start_key); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(const core::Offset offset, KeyOffset(*it));
    if (offset != expected) {
      return absl::DataLossError(absl::StrCat("event log in ", db->data_dir(), ": missing offset ",
                                              expected, " (next is ", offset, ")"));
    }
    const rocksdb::Slice value = it->value();
    ++expected;
    // Stopped by the visitor: the range is not over, and that is no gap.
    if (!visit(offset, std::string_view(value.data(), value.size()))) return absl::OkStatus();
  }
  RETURN_IF_ERROR(FromRocksDb(
      it->status(),
      {.operation = "Iterate", .column_family = kEventsColumnFamily, .offset = expected}));
  if (expected <= through) {
    return absl::DataLossError(absl::StrCat("event log in ", db->data_dir(), ": missing offset ",
                                            expected, " (the log should reach ", through, ")"));
  }
  return absl::OkStatus();
}

}  // namespace logbook::storage
