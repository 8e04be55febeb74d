#pragma once
// The `logbook` command line: subcommands, flags and --help, turned into the
// Config of `logbook serve` (app/config.h). Parsing only; running is serve's job.
#include <optional>
#include <ostream>

#include "absl/status/statusor.h"
#include "app/config.h"

namespace logbook::app {

// `logbook serve [flags]`, parsed and validated.
struct ServeCommand {
  Config config;
};

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
// More subcommands (`logbook log ...`) will widen the returned type.
absl::StatusOr<std::optional<ServeCommand>> ParseCommandLine(int argc, char** argv,
                                                             std::ostream& out);

}  // namespace logbook::app
