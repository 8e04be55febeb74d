#pragma once
// `logbook serve`'s first phase on a new data dir with --peers
// (docs/replication.md, "Bootstrap"): serve a placeholder HTTP server
// (/healthz 200, /readyz and everything else 503 with a reason and
// Retry-After) while a peer's snapshot is fetched, checked and installed
// with its cursors in one atomic write; then close it, and RunServe starts
// the node proper on the same port from the installed snapshot, exactly as
// after a restart. A crash before the install leaves the dir new, so the
// next start bootstraps again.
#include "app/config.h"

namespace logbook::app {

struct BootstrapPhase {
  // >= 0: the process must exit with this code (stopped by a signal, or the
  // install failed); -1: go on serving.
  int exit_code = -1;
  // The port to serve on: the placeholder's (config.port 0 picks one, and
  // the node must keep it).
  int port = 0;
};

// Returns at once (port = config.port) when bootstrap is off, there are no
// peers or the data dir is not new; errors opening the dir are left for
// RunServe to report.
BootstrapPhase RunBootstrapPhase(const Config& config);

}  // namespace logbook::app
