#pragma once
// The node's HTTP entry point: routes each request to the Eureka or the
// Logbook endpoints, and turns anything unexpected into a 500.
#include "net/access_control.h"
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_server.h"
#include "net/metrics.h"
#include "net/request_observer.h"

namespace logbook::net {

// Optional: what the node exposes about itself. Both must outlive the server.
struct NodeObservability {
  const MetricsRegistry* metrics = nullptr;  // serves GET /metrics when set (else 404)
  RequestObserver* requests = nullptr;       // counts and logs every request when set
};

// The returned handler refers to both APIs and to `access` (when set): they
// must outlive the server. Without `access` every request goes through.
HttpHandler MakeNodeHandler(EurekaApi& eureka, LogbookApi& logbook,
                            NodeObservability observability = {},
                            AccessControl* access = nullptr);

}  // namespace logbook::net
