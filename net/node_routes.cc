#include "net/node_routes.h"

#include <utility>

#include "net/error_response.h"
#include "net/router.h"

namespace logbook::net {

HttpHandler MakeNodeHandler(EurekaApi& eureka, LogbookApi& logbook) {
  return [&eureka, &logbook](HttpRequest&& request, Responder responder) {
    const std::optional<Route> route = MatchRoute(request.path);
    if (!route.has_value()) {
      return std::move(responder)(ErrorResponse(404, "not found", request.path));
    }
    switch (route->endpoint) {
      case Endpoint::kHealthz:
      case Endpoint::kReadyz:
      case Endpoint::kLogbookStatus:
      case Endpoint::kLogbookEvents:
      case Endpoint::kLogbookHistory:
      case Endpoint::kLogbookReplicationEvents:
        return logbook.Handle(*route, std::move(request), std::move(responder));
      default:
        return eureka.Handle(*route, std::move(request), std::move(responder));
    }
  };
}

}  // namespace logbook::net
