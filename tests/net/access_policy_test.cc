#include "net/access_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logbook::net {
namespace {

struct Case {
  std::string method;
  std::string path;
  bool replication_header;
  bool open;
  bool anonymous_read;
  RoleSet roles;
};

constexpr RoleSet kAll = kRoleClient | kRolePeer | kRoleAdmin;
constexpr RoleSet kClientOrAdmin = kRoleClient | kRoleAdmin;

// The README's table, row by row.
const std::vector<Case> kTable = {
    {"GET", "/healthz", false, true, true, kAll},
    {"GET", "/readyz", false, true, true, kAll},
    {"GET", "/eureka/apps", false, false, true, kAll},
    {"GET", "/eureka/v2/apps/delta", false, false, true, kAll},
    {"GET", "/eureka/apps/ORDERS", false, false, true, kAll},
    {"GET", "/eureka/apps/ORDERS/o1", false, false, true, kAll},
    {"HEAD", "/eureka/instances/o1", false, false, true, kAll},
    {"GET", "/eureka/vips/v", false, false, true, kAll},
    {"GET", "/eureka/svips/v", false, false, true, kAll},
    {"GET", "/eureka/status", false, false, true, kAll},
    {"GET", "/eureka/serverinfo/statusoverrides", false, false, true, kAll},
    {"POST", "/eureka/apps/ORDERS", false, false, false, kClientOrAdmin},
    {"PUT", "/eureka/apps/ORDERS/o1", false, false, false, kClientOrAdmin},
    {"DELETE", "/eureka/apps/ORDERS/o1", false, false, false, kClientOrAdmin},
    {"PUT", "/eureka/apps/ORDERS/o1/status", false, false, false, kRoleAdmin},
    {"DELETE", "/eureka/apps/ORDERS/o1/status", false, false, false, kRoleAdmin},
    {"PUT", "/eureka/apps/ORDERS/o1/metadata", false, false, false, kRoleAdmin},
    // Writes marked as replicated are a peer's, whatever they are.
    {"POST", "/eureka/apps/ORDERS", true, false, false, kRolePeer},
    {"PUT", "/eureka/apps/ORDERS/o1", true, false, false, kRolePeer},
    {"DELETE", "/eureka/apps/ORDERS/o1", true, false, false, kRolePeer},
    {"PUT", "/eureka/apps/ORDERS/o1/status", true, false, false, kRolePeer},
    {"POST", "/eureka/peerreplication/batch", false, false, false, kRolePeer},
    {"GET", "/logbook/v1/replication/events", false, false, false, kRolePeer},
    {"GET", "/logbook/v1/replication/snapshot", false, false, false, kRolePeer},
    {"GET", "/logbook/v1/status", false, false, true, kRoleAdmin},
    {"GET", "/logbook/v1/events", false, false, true, kRoleAdmin},
    {"GET", "/logbook/v1/history", false, false, true, kRoleAdmin},
    {"GET", "/metrics", false, false, true, kRoleAdmin},
    {"GET", "/", false, false, true, kRoleAdmin},
    {"GET", "/dashboard.js", false, false, true, kRoleAdmin},
    {"GET", "/no/such/path", false, false, true, kAll},
    {"POST", "/no/such/path", false, false, false, kAll},
    // A read endpoint written to is no anonymous read (the handler then says 405).
    {"POST", "/eureka/apps", false, false, false, kAll},
};

TEST(AccessRuleFor, FollowsTheDocumentedTable) {
  for (const Case& c : kTable) {
    HttpRequest request;
    request.method = c.method;
    request.path = c.path;
    if (c.replication_header) request.headers.emplace_back("x-netflix-discovery-replication", "true");
    const AccessRule rule = AccessRuleFor(MatchRoute(c.path), request);
    const std::string where = c.method + " " + c.path + (c.replication_header ? " (replicated)" : "");
    EXPECT_EQ(rule.open, c.open) << where;
    EXPECT_EQ(rule.anonymous_read, c.anonymous_read) << where;
    EXPECT_EQ(rule.roles, c.roles) << where;
    EXPECT_FALSE(rule.operation.empty()) << where;
  }
}

TEST(AccessRuleFor, ReplicationHeaderMustSayTrue) {
  HttpRequest request;
  request.method = "PUT";
  request.path = "/eureka/apps/A/i/status";
  request.headers.emplace_back("X-Netflix-Discovery-Replication", "false");
  EXPECT_EQ(AccessRuleFor(MatchRoute(request.path), request).roles, kRoleAdmin);
}

TEST(RoleFromName, KnowsTheThreeRolesOnly) {
  EXPECT_EQ(RoleFromName("client"), kRoleClient);
  EXPECT_EQ(RoleFromName("peer"), kRolePeer);
  EXPECT_EQ(RoleFromName("admin"), kRoleAdmin);
  EXPECT_EQ(RoleFromName("Admin"), 0);
  EXPECT_EQ(RoleFromName(""), 0);
}

}  // namespace
}  // namespace logbook::net
