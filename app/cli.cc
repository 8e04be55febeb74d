#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/instance.h"
#include "core/status.h"

namespace logbook::app {
namespace {

// One flag or --set occurrence. They are collected in command-line order and
// applied only after the whole line is parsed, because the config file (which
// they override) may be named anywhere on it.
struct Assignment {
  std::string flag;  // as typed by the user, for error messages: "--port", "--set"
  std::string key;   // empty for --set: the key is inside `value`
  std::string value;
};

// The `--set` / config file keys with their defaults, for help footers. Each
// line is a valid config file line.
std::string SettingsHelp() {
  std::string text =
      "Configuration keys, with their defaults. Set them as `key = value` lines in the\n"
      "--config file or with --set KEY=VALUE; the file is read first, then flags and\n"
      "--set apply in command-line order (the later wins).\n";
  for (const auto& [key, value] : DescribeSettings(Config{})) {
    absl::StrAppend(&text, "  ", key, " =", value.empty() ? "" : " ", value, "\n");
  }
  absl::StrAppend(&text,
                  "Environment (with logbook.auth.enabled=true; README, \"Access control\"):\n"
                  "  LOGBOOK_AUTH_CLIENT, LOGBOOK_AUTH_PEER, LOGBOOK_AUTH_ADMIN = user:password\n"
                  "  (one user with that role each; LOGBOOK_AUTH_PEER is also sent to peers\n"
                  "  whose URL has no user:password@ and logbook.auth.peer-credentials is unset)\n");
  return text;
}

absl::Status ApplyAssignment(Config& config, const Assignment& assignment) {
  std::string key = assignment.key;
  std::string value = assignment.value;
  if (key.empty()) {
    const std::size_t equals = value.find('=');
    if (equals == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          assignment.flag, ": expected KEY=VALUE, got \"", absl::CHexEscape(value), "\""));
    }
    key = std::string(absl::StripAsciiWhitespace(absl::string_view(value).substr(0, equals)));
    value = value.substr(equals + 1);
  }
  const absl::Status status = ApplySetting(config, key, value);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(assignment.flag, ": ", status.message()));
  }
  return absl::OkStatus();
}

// Registers a serve flag that is shorthand for one configuration key. The
// value stays a string so that ApplySetting parses it (one syntax and one
// set of error messages for flags, --set and the file).
void AddSettingFlag(CLI::App& serve, std::vector<Assignment>& assignments, std::string flag,
                    std::string key, std::string type_name, std::string description) {
  serve
      .add_option_function<std::string>(
          flag,
          [&assignments, flag, key](const std::string& value) {
            assignments.push_back(Assignment{flag, key, value});
          },
          absl::StrCat(description, " (", key.empty() ? "repeatable" : key, ")"))
      ->type_name(std::move(type_name))
      // Run the callback at each occurrence, so repeats are kept in order
      // instead of being refused.
      ->trigger_on_parse();
}

// The `logbook log` flags as typed, before they become a LogCommand. One set
// serves every action: CLI11 fills only the parsed subcommand's options.
struct LogFlags {
  std::string data_dir;
  std::string app;
  std::string instance_id;
  std::string types;
  std::int64_t since_ms = 0;
  std::int64_t until_ms = 0;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::size_t limit = 0;
  std::int64_t expected_clients = 1;
  std::int64_t delta_retention_ms = 180000;
};

// The options of one `logbook log` action, to ask which were given.
struct LogOptions {
  CLI::App* action = nullptr;
  LogAction kind = LogAction::kStat;
  CLI::Option* app = nullptr;
  CLI::Option* instance_id = nullptr;
  CLI::Option* types = nullptr;
  CLI::Option* since = nullptr;
  CLI::Option* until = nullptr;
  CLI::Option* from = nullptr;
  CLI::Option* to = nullptr;
  CLI::Option* limit = nullptr;
};

LogOptions AddLogAction(CLI::App& log, LogFlags& flags, LogAction kind, std::string name,
                        std::string description) {
  LogOptions options;
  options.kind = kind;
  options.action = log.add_subcommand(std::move(name), std::move(description));
  CLI::App& action = *options.action;
  action.add_option("DIR", flags.data_dir, "The data dir (`logbook serve --data-dir`)")->required();
  if (kind == LogAction::kVerify) {
    // Only the replay from offset 1 depends on these (a snapshot carries
    // its own state): give the node's values when they are not the defaults.
    action
        .add_option("--expected-clients", flags.expected_clients,
                    "The node's eureka.instance.registry.expected-number-of-clients-sending-"
                    "renews (default 1)")
        ->type_name("N")
        ->check(CLI::NonNegativeNumber);
    action
        .add_option("--delta-retention-ms", flags.delta_retention_ms,
                    "The node's eureka.server.retention-time-in-ms-in-delta-queue (default 180000)")
        ->type_name("MS")
        ->check(CLI::PositiveNumber);
  }
  if (kind == LogAction::kStat || kind == LogAction::kVerify) return options;
  if (kind == LogAction::kHistory) {
    options.app =
        action.add_option("APP", flags.app, "The application (case-insensitive)")->required();
    options.instance_id =
        action.add_option("ID", flags.instance_id, "One instance of APP; all when absent");
  } else {
    options.app = action.add_option("--app", flags.app, "Only this application (case-insensitive)")
                      ->type_name("APP");
    options.instance_id =
        action.add_option("--instance", flags.instance_id, "Only this instance id")
            ->type_name("ID");
  }
  options.types = action
                      .add_option("--type", flags.types,
                                  kind == LogAction::kHistory
                                      ? "Only these event types (default: every type but RENEW)"
                                      : "Only these event types, e.g. REGISTER,CANCEL")
                      ->type_name("T,T");
  options.since =
      action.add_option("--since", flags.since_ms, "Only events at or after this time (epoch ms)")
          ->type_name("MS");
  options.until =
      action.add_option("--until", flags.until_ms, "Only events at or before this time (epoch ms)")
          ->type_name("MS");
  options.from =
      action.add_option("--from", flags.from, "Only offsets >= OFFSET")->type_name("OFFSET");
  options.to = action.add_option("--to", flags.to, "Only offsets <= OFFSET")->type_name("OFFSET");
  if (kind == LogAction::kTail) {
    options.limit = action
                        .add_option("-n,--lines", flags.limit,
                                    absl::StrCat("Print the last N matching events (default ",
                                                 kDefaultTailLines, ")"))
                        ->type_name("N");
  } else {
    options.limit =
        action.add_option("--limit", flags.limit, "Print at most N events")->type_name("N");
  }
  return options;
}

absl::StatusOr<LogCommand> MakeLogCommand(const LogOptions& options, const LogFlags& flags) {
  LogCommand command;
  command.action = options.kind;
  command.data_dir = flags.data_dir;
  if (command.data_dir.empty()) return absl::InvalidArgumentError("DIR is empty");
  command.registry.initial_expected_clients = flags.expected_clients;
  command.registry.delta_retention_ms = flags.delta_retention_ms;
  EventFilter& filter = command.filter;
  if (options.app != nullptr && options.app->count() > 0) {
    if (flags.app.empty()) return absl::InvalidArgumentError("the application name is empty");
    filter.app = core::ToUpperAscii(flags.app);
  }
  if (options.instance_id != nullptr && options.instance_id->count() > 0) {
    if (flags.instance_id.empty()) return absl::InvalidArgumentError("the instance id is empty");
    filter.instance_id = flags.instance_id;
  }
  if (options.types != nullptr && options.types->count() > 0) {
    absl::StatusOr<std::vector<core::EventType>> types = ParseEventTypes(flags.types);
    if (!types.ok())
      return absl::InvalidArgumentError(absl::StrCat("--type: ", types.status().message()));
    filter.types = *std::move(types);
  } else if (command.action == LogAction::kHistory) {
    filter.types = StateChangeTypes();
  }
  if (options.since != nullptr && options.since->count() > 0) filter.since_ms = flags.since_ms;
  if (options.until != nullptr && options.until->count() > 0) filter.until_ms = flags.until_ms;
  if (filter.since_ms.has_value() && filter.until_ms.has_value() &&
      *filter.since_ms > *filter.until_ms) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since ", *filter.since_ms, " is after --until ", *filter.until_ms));
  }
  if (options.from != nullptr && options.from->count() > 0) {
    if (flags.from == 0) return absl::InvalidArgumentError("--from: offsets start at 1");
    filter.from = flags.from;
  }
  if (options.to != nullptr && options.to->count() > 0) {
    if (flags.to == 0) return absl::InvalidArgumentError("--to: offsets start at 1");
    filter.to = flags.to;
  }
  if (filter.from > filter.to) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from ", filter.from, " is after --to ", filter.to));
  }
  if (options.limit != nullptr && options.limit->count() > 0) command.limit = flags.limit;
  return command;
}

}  // namespace

absl::StatusOr<std::optional<Command>> ParseCommandLine(int argc, char** argv, std::ostream& out) {
  CLI::App app("Logbook: a Eureka-compatible service registry whose state is an event log.",
               "logbook");
  // At most one command; none at all is reported below, after --help had its chance.
  app.require_subcommand(0, 1);
  const std::string settings_help = SettingsHelp();
  app.footer(absl::StrCat(
      "Run `logbook serve --help` for the flags of serve, `logbook log --help` for the log "
      "tool.\n\n",
      settings_help));

  std::vector<Assignment> assignments;
  std::string config_path;
  CLI::App& serve = *app.add_subcommand(
      "serve", "Serve the Eureka REST API and Logbook's endpoints from a data directory.");
  serve.footer(settings_help);
  AddSettingFlag(serve, assignments, "--host", "logbook.server.host", "H",
                 "Listen address; 0.0.0.0 serves a network");
  AddSettingFlag(serve, assignments, "--port", "logbook.server.port", "N",
                 "HTTP port; 0 picks a free one");
  AddSettingFlag(serve, assignments, "--data-dir", "logbook.data-dir", "D",
                 "RocksDB directory, created if missing");
  AddSettingFlag(serve, assignments, "--node-id", "logbook.node-id", "ID",
                 "This node's name; by default generated once and stored in the data dir");
  AddSettingFlag(serve, assignments, "--peers", "logbook.peers", "URL,URL",
                 "Other nodes' base URLs, e.g. http://10.0.0.2:8761");
  AddSettingFlag(serve, assignments, "--eureka-peers", "logbook.eureka-peers", "URL,URL",
                 "Stock Eureka servers' service URLs, e.g. http://10.0.0.3:8761/eureka/; this "
                 "node pushes its client writes to them in Eureka's batch format");
  AddSettingFlag(serve, assignments, "--sync", "logbook.log.sync", "always|none",
                 "always: the log is fsynced before a write is acknowledged; none: handed to "
                 "the OS");
  AddSettingFlag(serve, assignments, "--log-level", "logbook.log-level", "debug|info|warn|error",
                 "Lowest level logged (logfmt lines on stderr)");
  const CLI::Option* config_option =
      serve
          .add_option("--config", config_path, "File of `key = value` lines, read before the flags")
          ->type_name("FILE");
  AddSettingFlag(serve, assignments, "--set", "", "KEY=VALUE", "Any configuration key below");

  CLI::App& log = *app.add_subcommand(
      "log", "Read a data dir's event log offline (also while a node serves from it).");
  log.require_subcommand(1);
  log.footer(
      "Every action only reads DIR. stat prints one JSON object; dump, tail and history print\n"
      "one JSON object per event per line, oldest first, as GET /logbook/v1/events does.\n"
      "A damaged record or a missing offset is reported on stderr with its offset and the exit\n"
      "code is 1; usage errors exit 2.");
  LogFlags log_flags;
  const std::vector<LogOptions> log_actions = {
      AddLogAction(log, log_flags, LogAction::kStat, "stat",
                   "Offsets, event counts by type, node id, log identity, format version, "
                   "snapshots, disk use"),
      AddLogAction(log, log_flags, LogAction::kDump, "dump",
                   "Print the events that match the filters, oldest first"),
      AddLogAction(log, log_flags, LogAction::kTail, "tail",
                   "Print the last N events that match the filters"),
      AddLogAction(log, log_flags, LogAction::kHistory, "history",
                   "Print the state changes (every type but RENEW) of APP or one instance of it"),
      AddLogAction(log, log_flags, LogAction::kVerify, "verify",
                   "Check every checksum, that offsets are dense, and replay the whole log; "
                   "exit 1 on any problem"),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
      app.exit(error, out, out);  // prints the help of the (sub)command asked about
      return std::nullopt;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(error.what(), "\nRun `logbook --help` for usage."));
  }

  for (const LogOptions& action : log_actions) {
    if (!action.action->parsed()) continue;
    absl::StatusOr<LogCommand> command = MakeLogCommand(action, log_flags);
    if (!command.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("log ", action.action->get_name(), ": ",
                                                     command.status().message(),
                                                     "\nRun `logbook log --help` for usage."));
    }
    return std::optional<Command>(*std::move(command));
  }
  if (!serve.parsed()) {
    return absl::InvalidArgumentError(
        "no command given: expected `logbook serve [flags]` or `logbook log ...`\nRun `logbook "
        "--help` for usage.");
  }
  ServeCommand command;
  // Even `--config ""` is read (and fails): a named file is never skipped.
  if (config_option->count() > 0) RETURN_IF_ERROR(ApplyConfigFile(command.config, config_path));
  for (const Assignment& assignment : assignments) {
    RETURN_IF_ERROR(ApplyAssignment(command.config, assignment));
  }
  RETURN_IF_ERROR(Validate(command.config));
  return std::optional<Command>(std::move(command));
}

}  // namespace logbook::app
