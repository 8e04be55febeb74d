#pragma once
// The node's HTTP entry point: routes each request to the Eureka or the
// Logbook endpoints, and turns anything unexpected into a 500.
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_server.h"

namespace logbook::net {

// The returned handler refers to both APIs: they must outlive the server.
HttpHandler MakeNodeHandler(EurekaApi& eureka, LogbookApi& logbook);

}  // namespace logbook::net
