#include "net/node_routes.h"

#include <utility>

#include "net/dashboard_handler.h"
#include "net/error_response.h"
#include "net/router.h"

namespace logbook::net {
namespace {

void GetMetrics(const MetricsRegistry* metrics, const HttpRequest& request, Responder responder) {
  if (metrics == nullptr) return std::move(responder)(ErrorResponse(404, "not found", request.path));
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = ErrorResponse(405, "method not allowed");
    response.SetHeader("Allow", "GET");
    return std::move(responder)(std::move(response));
  }
  HttpResponse response;
  response.SetHeader("Content-Type", std::string(kPrometheusContentType));
  response.body = metrics->Render();
  std::move(responder)(std::move(response));
}

}  // namespace

HttpHandler MakeNodeHandler(EurekaApi& eureka, LogbookApi& logbook,
                            NodeObservability observability, AccessControl* access) {
  return [&eureka, &logbook, observability, access](HttpRequest&& request, Responder responder) {
    const std::optional<Route> route = MatchRoute(request.path);
    if (observability.requests != nullptr) {
      responder = observability.requests->Observe(
          route.has_value() ? EndpointName(route->endpoint) : RequestObserver::kUnmatched, request,
          std::move(responder));
    }
    // After the observer: refusals are counted and logged like any answer.
    if (access != nullptr) {
      if (std::optional<HttpResponse> refused = access->Check(route, request)) {
        return std::move(responder)(std::move(*refused));
      }
    }
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
      case Endpoint::kLogbookReplicationSnapshot:
        return logbook.Handle(*route, std::move(request), std::move(responder));
      case Endpoint::kMetrics:
        return GetMetrics(observability.metrics, request, std::move(responder));
      case Endpoint::kDashboard:
        return std::move(responder)(ServeDashboard(request));
      default:
        return eureka.Handle(*route, std::move(request), std::move(responder));
    }
  };
}

}  // namespace logbook::net
