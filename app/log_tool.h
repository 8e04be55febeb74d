#pragma once
// `logbook log ...`: reads a data dir offline (also while a node serves from
// it) and prints what is in the log: stat, dump, tail, history, verify
// (logbook-interface.md, "Other subcommands"). Never writes to the dir.
//
// Output: stat prints one JSON object; dump, tail and history print one JSON
// object per event per line (the event objects of /logbook/v1/events),
// oldest first; verify prints a summary and one line per problem. Damage met
// on the way (a record that does not decode, a missing offset) is never
// skipped silently: it goes to the error stream with its offset and the exit
// code is 1.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/registry.h"

namespace logbook::app {

// Which events dump, tail and history print. Every set field must match.
struct EventFilter {
  std::optional<std::string> app = {};             // upper-cased, as the registry stores it
  std::optional<std::string> instance_id = {};     // exact
  std::vector<core::EventType> types = {};         // empty = every type
  std::optional<core::TimestampMs> since_ms = {};  // timestamp >= since_ms
  std::optional<core::TimestampMs> until_ms = {};  // timestamp <= until_ms
  core::Offset from = 1;                           // offset range, inclusive
  core::Offset to = ~core::Offset{0};

  bool Matches(const core::Event& event) const;
};

// "REGISTER,CANCEL" -> the types; names are case-insensitive. InvalidArgument
// naming the first unknown or empty name, and listing the known ones.
absl::StatusOr<std::vector<core::EventType>> ParseEventTypes(std::string_view list);

// Every type but RENEW: what `history` shows unless --type says otherwise.
std::vector<core::EventType> StateChangeTypes();

// The event as one line of JSON (no newline), the object of /logbook/v1/events.
std::string EventJsonLine(const core::Event& event);

enum class LogAction { kStat, kDump, kTail, kHistory, kVerify };

// `logbook log ACTION DIR ...`, parsed by app/cli.
struct LogCommand {
  LogAction action = LogAction::kStat;
  std::string data_dir;
  EventFilter filter;  // dump, tail, history
  // dump/history: at most this many lines (none = all); tail: the last N
  // (default kDefaultTailLines).
  std::optional<std::size_t> limit;
  // verify: the options of the registry its replay builds (the node's).
  core::RegistryOptions registry;
};

inline constexpr std::size_t kDefaultTailLines = 10;

// Runs `command`, writing results to `out` and problems to `err`. Returns the
// exit code: 0 when all went well, 1 when the dir cannot be read or any damage
// was found.
int RunLogCommand(const LogCommand& command, std::ostream& out, std::ostream& err);

}  // namespace logbook::app
