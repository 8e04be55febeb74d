#include "app/log_tool.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/instance.h"
#include "core/registry.h"
#include "core/status.h"
#include "net/eureka/event_json.h"
#include "net/eureka/json_writer.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/log_reader.h"
#include "storage/snapshot_codec.h"

namespace logbook::app {
namespace {

using storage::EventCursor;
using storage::LogReader;
using storage::LogRecord;

constexpr std::array<core::EventType, 9> kAllTypes = {
    core::EventType::kRegister,       core::EventType::kRenew,
    core::EventType::kCancel,         core::EventType::kEvict,
    core::EventType::kStatusUpdate,   core::EventType::kDeleteStatusOverride,
    core::EventType::kMetadataUpdate, core::EventType::kRenewalThresholdUpdate,
    core::EventType::kInstanceSet,
};

// "offset 12: <problem>" for the error stream, one line per problem.
std::string ProblemLine(const LogRecord& record) {
  std::string where;
  switch (record.kind) {
    case LogRecord::Kind::kGap:
      where = record.offset == record.gap_last
                  ? absl::StrCat("offset ", record.offset)
                  : absl::StrCat("offsets ", record.offset, "..", record.gap_last);
      break;
    case LogRecord::Kind::kBadKey:
      where = "a malformed key";
      break;
    default:
      where = absl::StrCat("offset ", record.offset);
  }
  return absl::StrCat(where, ": ", record.problem.message());
}

// Sum of the sizes of the regular files under `dir`.
std::uint64_t DiskBytes(const std::string& dir) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const std::uintmax_t size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

absl::StatusOr<std::unique_ptr<LogReader>> OpenOrReport(const LogCommand& command,
                                                        std::ostream& err) {
  absl::StatusOr<std::unique_ptr<LogReader>> reader = LogReader::Open(command.data_dir);
  if (!reader.ok()) err << "logbook log: " << core::MessageOf(reader.status()) << "\n";
  return reader;
}

// Walks [from, to] ∩ the log in `reverse` or forward order, calling `visit`
// for each event that matches and reporting every problem to `err`. `visit`
// returns false to stop. Returns the number of problems, or -1 when RocksDB
// failed (also reported).
int Scan(const LogReader& reader, const EventFilter& filter, bool reverse, std::ostream& err,
         const std::function<bool(const core::Event&)>& visit) {
  std::unique_ptr<EventCursor> cursor =
      reader.NewCursor({.from = filter.from, .through = filter.to, .reverse = reverse});
  int problems = 0;
  LogRecord record;
  while (cursor->Next(&record)) {
    if (record.kind != LogRecord::Kind::kEvent) {
      err << "logbook log: " << ProblemLine(record) << "\n";
      ++problems;
      continue;
    }
    if (filter.Matches(record.event) && !visit(record.event)) break;
  }
  if (!cursor->status().ok()) {
    err << "logbook log: " << core::MessageOf(cursor->status()) << "\n";
    return -1;
  }
  return problems;
}

int RunDump(const LogReader& reader, const LogCommand& command, std::ostream& out,
            std::ostream& err) {
  std::size_t printed = 0;
  const std::optional<std::size_t> limit = command.limit;
  if (limit.has_value() && *limit == 0) return 0;
  const int problems =
      Scan(reader, command.filter, /*reverse=*/false, err, [&](const core::Event& event) {
        out << EventJsonLine(event) << "\n";
        ++printed;
        return !limit.has_value() || printed < *limit;
      });
  out.flush();
  return problems == 0 ? 0 : 1;
}

int RunTail(const LogReader& reader, const LogCommand& command, std::ostream& out,
            std::ostream& err) {
  const std::size_t wanted = command.limit.value_or(kDefaultTailLines);
  std::vector<core::Event> events;
  if (wanted > 0) {
    const int problems =
        Scan(reader, command.filter, /*reverse=*/true, err, [&](const core::Event& event) {
          events.push_back(event);
          return events.size() < wanted;
        });
    for (auto it = events.rbegin(); it != events.rend(); ++it) out << EventJsonLine(*it) << "\n";
    out.flush();
    return problems == 0 ? 0 : 1;
  }
  return 0;
}

void WriteStat(const LogReader& reader, const LogCommand& command, std::ostream& out,
               std::ostream& err, int* exit_code) {
  std::string json;
  net::eureka::JsonWriter w(&json);
  w.BeginObject();
  w.Key("data_dir");
  w.String(command.data_dir);
  w.Key("open_mode");
  w.String(storage::ReadModeName(reader.mode()));
  for (const std::string_view key :
       {storage::kMetaFormatVersionKey, storage::kMetaLogIdentityKey, storage::kMetaNodeIdKey}) {
    absl::StatusOr<std::optional<std::string>> value = reader.GetMeta(key);
    w.Key(key);
    if (!value.ok()) {
      err << "logbook log: " << core::MessageOf(value.status()) << "\n";
      *exit_code = 1;
      w.Null();
    } else if (!value->has_value()) {
      w.Null();
    } else {
      w.String(**value);
    }
  }
  w.Key("column_families");
  w.BeginArray();
  for (const std::string& name : reader.column_families()) w.String(name);
  w.EndArray();

  absl::StatusOr<std::pair<core::Offset, core::Offset>> bounds = reader.OffsetBounds();
  if (!bounds.ok()) {
    err << "logbook log: " << core::MessageOf(bounds.status()) << "\n";
    *exit_code = 1;
    bounds = std::pair<core::Offset, core::Offset>(1, core::kNoOffset);
  }
  const bool empty = bounds->second == core::kNoOffset;
  w.Key("first_offset");
  if (empty) {
    w.Null();
  } else {
    w.Uint(bounds->first);
  }
  w.Key("last_offset");
  if (empty) {
    w.Null();
  } else {
    w.Uint(bounds->second);
  }

  std::map<core::EventType, std::uint64_t> by_type;
  std::uint64_t events = 0;
  std::uint64_t event_bytes = 0;
  std::uint64_t damaged = 0;
  std::uint64_t missing = 0;
  std::optional<core::TimestampMs> first_ms;
  std::optional<core::TimestampMs> last_ms;
  if (!empty) {
    std::unique_ptr<EventCursor> cursor =
        reader.NewCursor({.from = bounds->first, .through = bounds->second, .expect_dense = true});
    LogRecord record;
    while (cursor->Next(&record)) {
      event_bytes += record.value_bytes;
      if (record.kind == LogRecord::Kind::kEvent) {
        ++events;
        ++by_type[record.event.type];
        if (!first_ms.has_value()) first_ms = record.event.timestamp_ms;
        last_ms = record.event.timestamp_ms;
        continue;
      }
      err << "logbook log: " << ProblemLine(record) << "\n";
      *exit_code = 1;
      if (record.kind == LogRecord::Kind::kGap) {
        missing += record.gap_last - record.offset + 1;
      } else {
        ++damaged;
      }
    }
    if (!cursor->status().ok()) {
      err << "logbook log: " << core::MessageOf(cursor->status()) << "\n";
      *exit_code = 1;
    }
  }
  w.Key("events");
  w.Uint(events);
  w.Key("events_by_type");
  w.BeginObject();
  for (const core::EventType type : kAllTypes) {
    w.Key(core::EventTypeName(type));
    w.Uint(by_type[type]);
  }
  w.EndObject();
  w.Key("event_bytes");
  w.Uint(event_bytes);
  w.Key("damaged_records");
  w.Uint(damaged);
  w.Key("missing_offsets");
  w.Uint(missing);
  w.Key("first_timestamp");
  if (first_ms.has_value()) {
    w.Int(*first_ms);
  } else {
    w.Null();
  }
  w.Key("last_timestamp");
  if (last_ms.has_value()) {
    w.Int(*last_ms);
  } else {
    w.Null();
  }

  // Snapshot values are another module's format: listed, not decoded.
  w.Key("snapshots");
  w.BeginArray();
  absl::StatusOr<std::vector<storage::KeyInfo>> snapshots = reader.SnapshotKeys();
  if (!snapshots.ok()) {
    err << "logbook log: " << core::MessageOf(snapshots.status()) << "\n";
    *exit_code = 1;
  } else {
    for (const storage::KeyInfo& snapshot : *snapshots) {
      w.BeginObject();
      w.Key("key");
      w.String(absl::BytesToHexString(snapshot.key));
      if (const std::optional<core::Offset> offset = storage::ParseEventKey(snapshot.key)) {
        w.Key("offset");
        w.Uint(*offset);
      }
      w.Key("bytes");
      w.Uint(snapshot.value_bytes);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("disk_bytes");
  w.Uint(DiskBytes(command.data_dir));
  w.EndObject();
  out << json << "\n";
  out.flush();
}

// Pages through the audit index (never the events column family), the way
// GET /logbook/v1/history does, printing each entry as that endpoint shows it.
int RunHistory(const LogReader& reader, const LogCommand& command, std::ostream& out,
               std::ostream& err) {
  const EventFilter& filter = command.filter;
  constexpr std::size_t kPage = 1000;
  core::AuditQuery query;
  query.app = filter.app.value_or("");
  query.instance_id = filter.instance_id.value_or("");
  query.since_ms = filter.since_ms;
  query.until_ms = filter.until_ms;
  query.types = filter.types;
  query.from = filter.from;
  query.limit = kPage;
  std::size_t printed = 0;
  const std::size_t limit = command.limit.value_or(~std::size_t{0});
  while (printed < limit) {
    absl::StatusOr<core::AuditPage> page = reader.History(query);
    if (!page.ok()) {
      err << "logbook log: " << core::MessageOf(page.status()) << "\n";
      return 1;
    }
    if (printed == 0 && filter.from < page->first_offset) {
      err << "logbook log: note: the audit log starts at offset " << page->first_offset
          << "; older state changes are past logbook.log.audit-retention\n";
    }
    for (const core::AuditEntry& entry : page->entries) {
      if (entry.event.offset > filter.to || printed >= limit) {
        out.flush();
        return 0;
      }
      std::string line;
      net::eureka::JsonWriter writer(&line);
      net::eureka::WriteAuditEntryJson(entry, writer);
      out << line << "\n";
      ++printed;
    }
    if (page->entries.size() < kPage) break;
    query.from = page->next;
  }
  out.flush();
  return 0;
}

// Why Registry::Apply would abort on `event` (it checks these as invariants:
// Decide never makes such events, but a damaged dir may hold them), or "".
std::string UnappliableReason(const core::Event& event) {
  if (event.type != core::EventType::kRegister) return "";
  if (!event.instance.has_value()) return "REGISTER without an instance";
  if (event.instance->app != event.app) {
    return absl::StrCat("REGISTER of app ", event.app, " carries an instance of app ",
                        event.instance->app);
  }
  if (event.instance->EffectiveId() != event.instance_id) {
    return absl::StrCat("REGISTER of instance ", event.instance_id, " carries instance ",
                        std::string(event.instance->EffectiveId()));
  }
  return "";
}

struct VerifiedSnapshot {
  core::Offset offset = core::kNoOffset;
  std::unique_ptr<core::Registry> registry;
};

int RunVerify(const LogReader& reader, const LogCommand& command, std::ostream& out) {
  std::uint64_t problems = 0;
  auto problem = [&](std::string_view text) {
    out << "problem: " << text << "\n";
    ++problems;
  };

  absl::StatusOr<std::optional<std::string>> version =
      reader.GetMeta(storage::kMetaFormatVersionKey);
  absl::StatusOr<std::optional<std::string>> identity =
      reader.GetMeta(storage::kMetaLogIdentityKey);
  if (!version.ok()) {
    problem(core::MessageOf(version.status()));
  } else if (!version->has_value()) {
    problem("meta has no format_version");
  } else if (**version != absl::StrCat(storage::kStorageFormatVersion)) {
    problem(absl::StrCat("meta format_version is '", absl::CHexEscape(**version),
                         "'; this build reads ", storage::kStorageFormatVersion));
  }
  if (!identity.ok()) {
    problem(core::MessageOf(identity.status()));
  } else if (!identity->has_value()) {
    problem("meta has no log_identity");
  }

  absl::StatusOr<std::pair<core::Offset, core::Offset>> bounds = reader.OffsetBounds();
  std::uint64_t events = 0;
  std::uint64_t snapshots_checked = 0;
  // The registry the log rebuilds: from empty when the log still starts at
  // 1, else from the oldest usable snapshot (retention dropped the rest).
  std::unique_ptr<core::Registry> registry;
  if (!bounds.ok()) {
    problem(core::MessageOf(bounds.status()));
  } else {
    const core::Offset first = bounds->first;
    const core::Offset last = bounds->second == core::kNoOffset ? first - 1 : bounds->second;
    // Every snapshot that decodes, oldest first; a damaged one is a problem
    // (recovery would skip it and fall back to an older one).
    std::vector<VerifiedSnapshot> snapshots;
    absl::StatusOr<std::vector<storage::SnapshotValue>> stored = reader.Snapshots();
    if (!stored.ok()) problem(core::MessageOf(stored.status()));
    for (const storage::SnapshotValue& value : stored.ok() ? *stored : std::vector<storage::SnapshotValue>{}) {
      const std::optional<core::Offset> offset = storage::ParseEventKey(value.key);
      if (!offset.has_value() || *offset == core::kNoOffset) {
        problem(absl::StrCat("snapshot with a malformed key ", absl::BytesToHexString(value.key)));
        continue;
      }
      absl::StatusOr<std::unique_ptr<core::Registry>> decoded =
          storage::DecodeSnapshot(value.value, *offset, command.registry);
      if (!decoded.ok()) {
        problem(std::string(core::MessageOf(decoded.status())) +
                " (recovery skips it for an older snapshot and a longer replay)");
        continue;
      }
      if (*offset > last) {
        problem(absl::StrCat("snapshot at offset ", *offset,
                             " is past the end of the log (last offset ", last, ")"));
        continue;
      }
      if (*offset + 1 < first) {
        out << "note: snapshot at offset " << *offset << " is older than the retained log (first offset "
            << first << "): not compared\n";
        continue;
      }
      snapshots.push_back({*offset, *std::move(decoded)});
    }
    // The chain's base: the log itself when it starts at 1, else the oldest
    // snapshot the retained log continues.
    core::Offset base_offset = core::kNoOffset;
    std::size_t next_snapshot = 0;
    if (first == 1) {
      registry = std::make_unique<core::Registry>(command.registry);
    } else if (!snapshots.empty()) {
      // Retention keeps every event after the oldest snapshot (the node's
      // retention floor), so it is the base; events before it are only
      // checked, not replayed.
      base_offset = snapshots.front().offset;
      registry = std::make_unique<core::Registry>(*snapshots.front().registry);
      next_snapshot = 1;
    } else if (bounds->second != core::kNoOffset) {
      problem(absl::StrCat("the log starts at offset ", first, " and no valid snapshot covers events 1..",
                           first - 1, ": the registry cannot be rebuilt"));
    }
    // What the replay so far is compared against at each snapshot's offset.
    const std::string base_name =
        base_offset == core::kNoOffset ? std::string("the replay of the log from offset 1")
                                       : absl::StrCat("the snapshot at offset ", base_offset,
                                                      " plus the replay of the events after it");
    bool replaying = registry != nullptr;
    const auto compare_snapshots_at = [&](core::Offset offset) {
      while (next_snapshot < snapshots.size() && snapshots[next_snapshot].offset <= offset) {
        const VerifiedSnapshot& snapshot = snapshots[next_snapshot++];
        if (!replaying || snapshot.offset != offset) continue;
        ++snapshots_checked;
        if (storage::EncodeSnapshotBody(*snapshot.registry) != storage::EncodeSnapshotBody(*registry)) {
          problem(absl::StrCat("snapshot at offset ", snapshot.offset, " differs from ", base_name,
                               " up to offset ", snapshot.offset,
                               " (recovery from it would serve another registry)"));
        }
      }
    };
    if (bounds->second != core::kNoOffset) {
      // Dense from the first offset kept to the last: retention only ever
      // removes a prefix, so any other hole is damage.
      std::unique_ptr<EventCursor> cursor =
          reader.NewCursor({.from = first, .through = bounds->second, .expect_dense = true});
      LogRecord record;
      while (cursor->Next(&record)) {
        if (record.kind != LogRecord::Kind::kEvent) {
          problem(ProblemLine(record));
          // The replay cannot go past a hole: later snapshots stay unchecked.
          replaying = false;
          continue;
        }
        ++events;
        if (const std::string reason = UnappliableReason(record.event); !reason.empty()) {
          problem(absl::StrCat("offset ", record.offset, ": cannot replay: ", reason));
          replaying = false;
          continue;
        }
        if (replaying && record.offset > base_offset) {
          registry->Apply(record.event);
          compare_snapshots_at(record.offset);
        }
      }
      if (!cursor->status().ok()) problem(core::MessageOf(cursor->status()));
    }
    if (next_snapshot < snapshots.size() && replaying) {
      problem(absl::StrCat("snapshot at offset ", snapshots[next_snapshot].offset,
                           " was not reached by the replay"));
    }
  }
  // RocksDB's own block checksums over every table file, snapshots included.
  if (absl::Status checked = reader.VerifyFileChecksums(); !checked.ok()) {
    problem(core::MessageOf(checked));
  }

  out << "verified " << command.data_dir << " (" << storage::ReadModeName(reader.mode()) << "): ";
  if (bounds.ok() && bounds->second != core::kNoOffset) {
    out << "offsets " << bounds->first << ".." << bounds->second << ", ";
  } else {
    out << "empty log, ";
  }
  out << events << " events decoded; " << snapshots_checked
      << " snapshots equal to the replay; replay: "
      << (registry ? registry->applications().size() : 0) << " applications, "
      << (registry ? registry->instance_count() : 0) << " instances; " << problems
      << (problems == 1 ? " problem" : " problems") << "\n";
  out << (problems == 0 ? "OK" : "FAILED") << "\n";
  out.flush();
  return problems == 0 ? 0 : 1;
}

}  // namespace

bool EventFilter::Matches(const core::Event& event) const {
  if (event.offset < from || event.offset > to) return false;
  if (app.has_value() && event.app != *app) return false;
  if (instance_id.has_value() && event.instance_id != *instance_id) return false;
  if (!types.empty() && std::find(types.begin(), types.end(), event.type) == types.end()) {
    return false;
  }
  if (since_ms.has_value() && event.timestamp_ms < *since_ms) return false;
  if (until_ms.has_value() && event.timestamp_ms > *until_ms) return false;
  return true;
}

absl::StatusOr<std::vector<core::EventType>> ParseEventTypes(std::string_view list) {
  std::vector<core::EventType> types;
  for (const absl::string_view name :
       absl::StrSplit(absl::string_view(list.data(), list.size()), ',')) {
    const std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
    const std::optional<core::EventType> type = core::ParseEventType(upper);
    if (!type.has_value()) {
      std::vector<std::string> known;
      for (const core::EventType each : kAllTypes) known.emplace_back(core::EventTypeName(each));
      return absl::InvalidArgumentError(
          absl::StrCat(upper.empty() ? "empty event type" : "unknown event type '" + upper + "'",
                       " in '", absl::CHexEscape(absl::string_view(list.data(), list.size())),
                       "' (expected a comma-separated list of ", absl::StrJoin(known, ", "), ")"));
    }
    if (std::find(types.begin(), types.end(), *type) == types.end()) types.push_back(*type);
  }
  return types;
}

std::vector<core::EventType> StateChangeTypes() {
  std::vector<core::EventType> types;
  for (const core::EventType type : kAllTypes) {
    if (type != core::EventType::kRenew) types.push_back(type);
  }
  return types;
}

std::string EventJsonLine(const core::Event& event) {
  std::string line;
  net::eureka::JsonWriter writer(&line);
  net::eureka::WriteEventJson(event, writer);
  return line;
}

int RunLogCommand(const LogCommand& command, std::ostream& out, std::ostream& err) {
  absl::StatusOr<std::unique_ptr<LogReader>> reader = OpenOrReport(command, err);
  if (!reader.ok()) return 1;
  switch (command.action) {
    case LogAction::kStat: {
      int exit_code = 0;
      WriteStat(**reader, command, out, err, &exit_code);
      return exit_code;
    }
    case LogAction::kDump:
      return RunDump(**reader, command, out, err);
    case LogAction::kHistory:
      return RunHistory(**reader, command, out, err);
    case LogAction::kTail:
      return RunTail(**reader, command, out, err);
    case LogAction::kVerify:
      return RunVerify(**reader, command, out);
  }
  return 1;
}

}  // namespace logbook::app
