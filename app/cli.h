#pragma once
// The `logbook` command line: subcommands, flags and --help, turned into the
// Config of `logbook serve` (app/config.h) or a `logbook log` command
// (app/log_tool.h). Parsing only; running is serve's and log_tool's job.
#include <optional>
#include <ostream>
#include <variant>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/log_tool.h"

namespace logbook::app {

// `logbook serve [flags]`, parsed and validated.
struct ServeCommand {
  Config config;
};

using Command = std::variant<ServeCommand, LogCommand>;

// Parses `logbook serve [--host H] [--port N] [--data-dir D] [--node-id ID]
// [--peers URL,URL] [--config FILE] [--set KEY=VALUE]... [--sync always|none]`.
// The config file is applied first, then the flags and --set settings in
// command-line order (the later wins); the result is validated once.
//
// Returns nullopt after printing help to `out` (`--help` on the program or a
// subcommand; the caller exits 0). Every other failure, from CLI syntax to an
// unknown key, is InvalidArgument with a message fit for stderr (the caller
// exits 2). Never throws.
//
// Also parses `logbook log stat|dump|tail|history|verify DIR [filters]`
// (see `logbook log --help`); bad filter values are InvalidArgument too.
absl::StatusOr<std::optional<Command>> ParseCommandLine(int argc, char** argv, std::ostream& out);

}  // namespace logbook::app
