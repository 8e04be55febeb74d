#pragma once
// Maps request paths to endpoints. Eureka endpoints are mounted under
// /eureka/v2/ (Netflix), /eureka/v1/ and /eureka/ (Spring), with or without a
// trailing slash; the APP segment is upper-cased (eureka-protocol.md §1.1).
#include <optional>
#include <string>
#include <string_view>

namespace logbook::net {

enum class Endpoint {
  kApps,                // E7  apps
  kDelta,               // E8  apps/delta
  kApp,                 // E1 (POST) / E9 (GET)  apps/{APP}
  kInstance,            // E2 (PUT) / E3 (DELETE) / E10 (GET)  apps/{APP}/{ID}
  kInstanceStatus,      // E4 / E5  apps/{APP}/{ID}/status
  kInstanceMetadata,    // E6  apps/{APP}/{ID}/metadata
  kInstanceById,        // E11 instances/{ID}
  kVip,                 // E12 vips/{VIP}
  kSvip,                // E13 svips/{SVIP}
  kPeerReplicationBatch,  // E14 peerreplication/batch
  kServerStatus,        // E15 status
  kStatusOverrides,     // E16 serverinfo/statusoverrides
  kHealthz,
  kReadyz,
  kLogbookStatus,       // /logbook/v1/status
  kLogbookEvents,       // /logbook/v1/events
  kLogbookHistory,      // /logbook/v1/history
  kMetrics,             // /metrics (Prometheus)
  kDashboard,           // / (the page), /dashboard.js, /dashboard.css
  kLogbookReplicationEvents,  // /logbook/v1/replication/events (docs/replication.md)
  kLogbookReplicationSnapshot,  // /logbook/v1/replication/snapshot (docs/replication.md)
};

// A stable snake_case name per endpoint, for metrics labels and logs
// ("apps", "instance", "logbook_status"...). Static storage.
std::string_view EndpointName(Endpoint endpoint);

struct Route {
  Endpoint endpoint;
  std::string app;          // upper-cased
  std::string instance_id;  // case-sensitive
  std::string vip;          // case-sensitive
};

// nullopt: no such endpoint (404).
std::optional<Route> MatchRoute(std::string_view path);

}  // namespace logbook::net
