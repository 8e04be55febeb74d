#pragma once
// Counts every HTTP exchange for /metrics (requests by endpoint and status,
// latency by endpoint) and logs it: the access log line when enabled, and
// every rejected request (4xx/5xx) with its reason at debug level.
//
// Thread: loop thread only (responders run there).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "net/http_server.h"
#include "net/logger.h"
#include "net/metrics.h"

namespace logbook::net {

struct RequestObserverOptions {
  bool access_log = false;  // one info line per request
};

class RequestObserver final : public MetricsCollector {
 public:
  // Endpoint labels of exchanges no endpoint handled.
  static constexpr std::string_view kUnmatched = "unmatched";    // no route: 404
  static constexpr std::string_view kConnection = "connection";  // made by the server: 400, 408...

  // `logger` must outlive the observer; the observer must outlive every
  // responder it wrapped (i.e. the HTTP server).
  RequestObserver(Logger& logger, RequestObserverOptions options);
  ~RequestObserver() override;

  // Returns `responder` wrapped so that the response is counted and logged
  // when it is sent. `endpoint` must be a string with static storage (the
  // router's names).
  Responder Observe(std::string_view endpoint, const HttpRequest& request, Responder responder);

  // A response the connection made itself (malformed request, timeouts,
  // limits); it never reached a handler.
  void OnConnectionError(int status, std::string_view detail, std::string_view remote);

  void Collect(MetricsTextWriter& writer) override;

 private:
  class ObservedResponder;
  struct EndpointStats;

  EndpointStats& StatsFor(std::string_view endpoint);
  void Record(EndpointStats& stats, int status, std::chrono::nanoseconds elapsed);

  Logger& logger_;
  const RequestObserverOptions options_;
  // Keyed by the endpoint name; an entry is created on an endpoint's first
  // request, so steady-state updates allocate nothing.
  absl::flat_hash_map<std::string_view, std::unique_ptr<EndpointStats>> endpoints_;
};

}  // namespace logbook::net
