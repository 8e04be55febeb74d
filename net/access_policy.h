#pragma once
// Who may call what: the role table of Basic authentication (README,
// "Access control"). Pure: a route and a request in, a rule out.
#include <cstdint>
#include <optional>
#include <string_view>

#include "net/http_message.h"
#include "net/router.h"

namespace logbook::net {

// A set of roles, as bits. A user may hold several.
using RoleSet = std::uint8_t;
inline constexpr RoleSet kRoleClient = 1;  // Eureka client API: register, renew, cancel, reads
inline constexpr RoleSet kRolePeer = 2;    // replication: pulls, batches, replicated writes
inline constexpr RoleSet kRoleAdmin = 4;   // overrides, metadata, operator endpoints; + client

// "client", "peer", "admin"; 0 for anything else.
RoleSet RoleFromName(std::string_view name);

struct AccessRule {
  // Served to anyone, credentials or not (load-balancer probes).
  bool open = false;
  // Served without credentials when logbook.auth.anonymous-read is on.
  bool anonymous_read = false;
  // A user holding any of these roles may call it.
  RoleSet roles = 0;
  // What the request does, for the 403 reason ("status override").
  std::string_view operation;
};

// `route` is nullopt for a path no endpoint serves (still guarded: a 404
// must not tell a stranger more than a 401 would).
AccessRule AccessRuleFor(const std::optional<Route>& route, const HttpRequest& request);

}  // namespace logbook::net
