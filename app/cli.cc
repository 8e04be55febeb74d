#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
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

}  // namespace

absl::StatusOr<std::optional<ServeCommand>> ParseCommandLine(int argc, char** argv,
                                                             std::ostream& out) {
  CLI::App app("Logbook: a Eureka-compatible service registry whose state is an event log.",
               "logbook");
  // At most one command; none at all is reported below, after --help had its chance.
  app.require_subcommand(0, 1);
  const std::string settings_help = SettingsHelp();
  app.footer(absl::StrCat("Run `logbook serve --help` for the flags of serve.\n\n", settings_help));

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
  AddSettingFlag(serve, assignments, "--sync", "logbook.log.sync", "always|none",
                 "always: the log is fsynced before a write is acknowledged; none: handed to "
                 "the OS");
  const CLI::Option* config_option =
      serve
          .add_option("--config", config_path, "File of `key = value` lines, read before the flags")
          ->type_name("FILE");
  AddSettingFlag(serve, assignments, "--set", "", "KEY=VALUE", "Any configuration key below");

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

  if (!serve.parsed()) {
    return absl::InvalidArgumentError(
        "no command given: expected `logbook serve [flags]`\nRun `logbook --help` for usage.");
  }
  ServeCommand command;
  // Even `--config ""` is read (and fails): a named file is never skipped.
  if (config_option->count() > 0) RETURN_IF_ERROR(ApplyConfigFile(command.config, config_path));
  for (const Assignment& assignment : assignments) {
    RETURN_IF_ERROR(ApplyAssignment(command.config, assignment));
  }
  RETURN_IF_ERROR(Validate(command.config));
  return command;
}

}  // namespace logbook::app
