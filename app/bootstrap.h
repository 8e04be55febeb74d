#pragma once
// `logbook serve`'s first phase on a new data dir with --peers
// (docs/replication.md, "Bootstrap"): serve a placeholder HTTP server
// (/healthz 200, /readyz and everything else 503 with a reason and
// Retry-After) while a peer's snapshot is fetched, checked and installed
// with its cursors in one atomic write; then stop the placeholder, and
// RunServe starts the node proper from the installed snapshot, exactly as
// after a restart, accepting on the very socket the placeholder listened on
// (connections that arrive meanwhile wait in its backlog, never refused). A crash before the install leaves the dir new, so the
// next start bootstraps again.
#include <optional>

#include "app/config.h"
#include "net/listening_socket.h"

namespace logbook::app {

struct BootstrapPhase {
  // >= 0: the process must exit with this code (stopped by a signal, or the
  // install failed); -1: go on serving.
  int exit_code = -1;
  // The port to serve on: the placeholder's (config.port 0 picks one, and
  // the node must keep it).
  int port = 0;
  // The placeholder's listening socket, for the node's server to accept on;
  // empty when there was no placeholder.
  std::optional<net::ListeningSocket> socket;
};

// Returns at once (port = config.port) when bootstrap is off, there are no
// peers or the data dir is not new; errors opening the dir are left for
// RunServe to report.
BootstrapPhase RunBootstrapPhase(const Config& config);

}  // namespace logbook::app
