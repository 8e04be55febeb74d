#pragma once
// The HTTP server's limits as the configuration sets them (logbook.http.*):
// the same for the node's server and the placeholder that answers while the
// node bootstraps.
#include "app/config.h"
#include "net/http_server.h"

namespace logbook::app {

net::HttpLimits HttpLimitsFrom(const Config& config);

}  // namespace logbook::app
