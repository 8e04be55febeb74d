#include "net/access_policy.h"

#include "net/http_ascii.h"

namespace logbook::net {
namespace {

constexpr RoleSet kAnyRole = kRoleClient | kRolePeer | kRoleAdmin;
// What a Eureka client does for its own instance. Basic auth carries no
// instance identity, so "its own" cannot be checked: any client may cancel.
constexpr RoleSet kClientWrite = kRoleClient | kRoleAdmin;

bool IsRead(const HttpRequest& request) {
  return request.method == "GET" || request.method == "HEAD";
}

// Eureka peers mark the writes they forward (eureka-protocol.md §5); a
// client must not be able to pass for one.
bool IsReplicatedWrite(const HttpRequest& request) {
  return EqualsIgnoreCase(request.Header("x-netflix-discovery-replication"), "true");
}

AccessRule Rule(RoleSet roles, std::string_view operation, bool anonymous_read) {
  return AccessRule{.open = false, .anonymous_read = anonymous_read, .roles = roles,
                    .operation = operation};
}

// Eureka reads, E7-E13, E15, E16: every role (peers read the registry too).
AccessRule EurekaRead(const HttpRequest& request) {
  return Rule(kAnyRole, "registry read", IsRead(request));
}

AccessRule EurekaWrite(const HttpRequest& request, RoleSet roles, std::string_view operation) {
  if (IsReplicatedWrite(request)) return Rule(kRolePeer, "replicated write", false);
  return Rule(roles, operation, false);
}

}  // namespace

RoleSet RoleFromName(std::string_view name) {
  if (name == "client") return kRoleClient;
  if (name == "peer") return kRolePeer;
  if (name == "admin") return kRoleAdmin;
  return 0;
}

AccessRule AccessRuleFor(const std::optional<Route>& route, const HttpRequest& request) {
  if (!route.has_value()) return Rule(kAnyRole, "unknown path", IsRead(request));
  switch (route->endpoint) {
    case Endpoint::kHealthz:
    case Endpoint::kReadyz:
      return AccessRule{.open = true, .anonymous_read = true, .roles = kAnyRole,
                        .operation = "health check"};
    case Endpoint::kApp:  // POST register (E1), GET read (E9)
      if (IsRead(request)) return EurekaRead(request);
      return EurekaWrite(request, kClientWrite, "register");
    case Endpoint::kInstance:  // PUT renew (E2), DELETE cancel (E3), GET read (E10)
      if (IsRead(request)) return EurekaRead(request);
      return EurekaWrite(request, kClientWrite, request.method == "DELETE" ? "cancel" : "renew");
    case Endpoint::kInstanceStatus:  // E4/E5: what operators and tools (Asgard) do
      if (IsRead(request)) return EurekaRead(request);
      return EurekaWrite(request, kRoleAdmin, "status override");
    case Endpoint::kInstanceMetadata:  // E6
      if (IsRead(request)) return EurekaRead(request);
      return EurekaWrite(request, kRoleAdmin, "metadata update");
    case Endpoint::kPeerReplicationBatch:  // E14
      return Rule(kRolePeer, "peer replication batch", false);
    case Endpoint::kLogbookReplicationEvents:
      // The node's own events as peers pull them: never anonymous.
      return Rule(kRolePeer, "replication pull", false);
    case Endpoint::kLogbookReplicationSnapshot:
      // The whole registry and the cursors a bootstrapping peer starts from.
      return Rule(kRolePeer, "replication snapshot", false);
    case Endpoint::kLogbookStatus:
    case Endpoint::kLogbookEvents:
    case Endpoint::kLogbookHistory:
    case Endpoint::kMetrics:
    case Endpoint::kDashboard:
      return Rule(kRoleAdmin, "operator read", IsRead(request));
    case Endpoint::kApps:
    case Endpoint::kDelta:
    case Endpoint::kInstanceById:
    case Endpoint::kVip:
    case Endpoint::kSvip:
    case Endpoint::kServerStatus:
    case Endpoint::kStatusOverrides:
      return EurekaRead(request);
  }
  return Rule(kRoleAdmin, "unknown endpoint", false);
}

}  // namespace logbook::net
