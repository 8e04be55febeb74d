#pragma once
// `logbook serve`: builds the log, registry, loop and server from one Config,
// recovers the registry from the log, serves until SIGTERM/SIGINT.
#include "app/config.h"

namespace logbook::app {

// Returns the process exit code: 0 after a graceful stop, 1 when the node
// cannot start (data dir locked or damaged, port taken) or the log failed.
int RunServe(const Config& config);

}  // namespace logbook::app
