#include "net/router.h"

#include <array>

#include "core/instance.h"

namespace logbook::net {
namespace {

// No Eureka endpoint has more path segments than this (apps/{APP}/{ID}/status).
constexpr std::size_t kMaxSegments = 4;

// A path's '/'-separated segments, held in place: routing runs for every
// request and must not allocate.
struct Segments {
  std::array<std::string_view, kMaxSegments> items;
  std::size_t count = 0;
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
  std::string_view operator[](std::size_t i) const { return items[i]; }
  const std::string_view* begin() const { return items.data(); }
  const std::string_view* end() const { return items.data() + count; }
};

// nullopt when the path has more segments than any endpoint.
std::optional<Segments> SplitSegments(std::string_view path) {
  Segments segments;
  while (!path.empty()) {
    if (segments.count == kMaxSegments) return std::nullopt;
    const std::size_t slash = path.find('/');
    segments.items[segments.count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return segments;
}

bool StripPrefix(std::string_view& path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  path.remove_prefix(prefix.size());
  return true;
}

std::optional<Route> MatchEureka(std::string_view rest) {
  // One trailing slash is insignificant (the Java client fetches "apps/").
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::optional<Segments> split = SplitSegments(rest);
  if (!split.has_value()) return std::nullopt;
  const Segments& s = *split;
  for (std::string_view segment : s) {
    if (segment.empty()) return std::nullopt;
  }
  const auto route = [](Endpoint endpoint) { return Route{endpoint, {}, {}, {}}; };
  if (s.empty()) return std::nullopt;
  if (s[0] == "apps") {
    if (s.size() == 1) return route(Endpoint::kApps);
    if (s.size() == 2 && s[1] == "delta") return route(Endpoint::kDelta);
    Route r = route(Endpoint::kApp);
    r.app = core::ToUpperAscii(s[1]);
    if (s.size() == 2) return r;
    r.instance_id = std::string(s[2]);
    if (s.size() == 3) {
      r.endpoint = Endpoint::kInstance;
      return r;
    }
    if (s.size() == 4 && s[3] == "status") {
      r.endpoint = Endpoint::kInstanceStatus;
      return r;
    }
    if (s.size() == 4 && s[3] == "metadata") {
      r.endpoint = Endpoint::kInstanceMetadata;
      return r;
    }
    return std::nullopt;
  }
  if (s.size() == 2 && s[0] == "instances") {
    Route r = route(Endpoint::kInstanceById);
    r.instance_id = std::string(s[1]);
    return r;
  }
  if (s.size() == 2 && (s[0] == "vips" || s[0] == "svips")) {
    Route r = route(s[0] == "vips" ? Endpoint::kVip : Endpoint::kSvip);
    r.vip = std::string(s[1]);
    return r;
  }
  if (s.size() == 2 && s[0] == "peerreplication" && s[1] == "batch") {
    return route(Endpoint::kPeerReplicationBatch);
  }
  if (s.size() == 1 && s[0] == "status") return route(Endpoint::kServerStatus);
  if (s.size() == 2 && s[0] == "serverinfo" && s[1] == "statusoverrides") {
    return route(Endpoint::kStatusOverrides);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Route> MatchRoute(std::string_view path) {
  std::string_view rest = path;
  if (StripPrefix(rest, "/eureka/v2/") || StripPrefix(rest, "/eureka/v1/") ||
      StripPrefix(rest, "/eureka/")) {
    return MatchEureka(rest);
  }
  if (!rest.empty() && rest.size() > 1 && rest.back() == '/') rest.remove_suffix(1);
  const auto route = [](Endpoint endpoint) { return Route{endpoint, {}, {}, {}}; };
  if (rest == "/healthz") return route(Endpoint::kHealthz);
  if (rest == "/readyz") return route(Endpoint::kReadyz);
  if (rest == "/logbook/v1/status") return route(Endpoint::kLogbookStatus);
  if (rest == "/logbook/v1/events") return route(Endpoint::kLogbookEvents);
  if (rest == "/logbook/v1/history") return route(Endpoint::kLogbookHistory);
  if (rest == "/metrics") return route(Endpoint::kMetrics);
  if (rest == "/" || rest == "/index.html" || rest == "/dashboard.js" || rest == "/dashboard.css") {
    return route(Endpoint::kDashboard);
  }
  if (rest == "/logbook/v1/replication/events") {
    return route(Endpoint::kLogbookReplicationEvents);
  }
  if (rest == "/logbook/v1/replication/snapshot") {
    return route(Endpoint::kLogbookReplicationSnapshot);
  }
  return std::nullopt;
}

std::string_view EndpointName(Endpoint endpoint) {
  // No default: a new endpoint without a name is a compile error (-Wswitch).
  switch (endpoint) {
    case Endpoint::kApps:
      return "apps";
    case Endpoint::kDelta:
      return "delta";
    case Endpoint::kApp:
      return "app";
    case Endpoint::kInstance:
      return "instance";
    case Endpoint::kInstanceStatus:
      return "instance_status";
    case Endpoint::kInstanceMetadata:
      return "instance_metadata";
    case Endpoint::kInstanceById:
      return "instance_by_id";
    case Endpoint::kVip:
      return "vip";
    case Endpoint::kSvip:
      return "svip";
    case Endpoint::kPeerReplicationBatch:
      return "peer_replication_batch";
    case Endpoint::kServerStatus:
      return "server_status";
    case Endpoint::kStatusOverrides:
      return "status_overrides";
    case Endpoint::kHealthz:
      return "healthz";
    case Endpoint::kReadyz:
      return "readyz";
    case Endpoint::kLogbookStatus:
      return "logbook_status";
    case Endpoint::kLogbookEvents:
      return "logbook_events";
    case Endpoint::kLogbookHistory:
      return "logbook_history";
    case Endpoint::kMetrics:
      return "metrics";
    case Endpoint::kDashboard:
      return "dashboard";
    case Endpoint::kLogbookReplicationEvents:
      return "logbook_replication_events";
    case Endpoint::kLogbookReplicationSnapshot:
      return "logbook_replication_snapshot";
  }
  return "unknown";
}

}  // namespace logbook::net
