// The embedded dashboard: routed at /, served byte-for-byte from the
// sources under net/dashboard/, revalidated by ETag.
#include "net/dashboard_handler.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "net/router.h"

namespace logbook::net {
namespace {

std::string ReadSource(const std::string& name) {
  std::ifstream in(std::string(LOGBOOK_SOURCE_DIR) + "/net/dashboard/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

HttpRequest Get(std::string path, std::string if_none_match = "") {
  HttpRequest request;
  request.method = "GET";
  request.path = std::move(path);
  if (!if_none_match.empty()) request.headers.emplace_back("If-None-Match", if_none_match);
  return request;
}

std::string HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(DashboardRoute, RootAndAssetsAreTheDashboard) {
  for (const char* path : {"/", "/index.html", "/dashboard.js", "/dashboard.css"}) {
    const std::optional<Route> route = MatchRoute(path);
    ASSERT_TRUE(route.has_value()) << path;
    EXPECT_EQ(route->endpoint, Endpoint::kDashboard) << path;
    EXPECT_TRUE(IsDashboardPath(path)) << path;
  }
  EXPECT_EQ(EndpointName(Endpoint::kDashboard), "dashboard");
  EXPECT_FALSE(MatchRoute("/dashboard.png").has_value());
  EXPECT_FALSE(IsDashboardPath("/dashboard.png"));
}

TEST(DashboardHandler, ServesTheSourcesWithTheirTypes) {
  const struct {
    const char* path;
    const char* source;
    const char* type;
  } files[] = {{"/", "index.html", "text/html; charset=utf-8"},
               {"/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"},
               {"/dashboard.css", "dashboard.css", "text/css; charset=utf-8"}};
  for (const auto& file : files) {
    const HttpResponse response = ServeDashboard(Get(file.path));
    EXPECT_EQ(response.status, 200) << file.path;
    EXPECT_EQ(response.body, ReadSource(file.source)) << file.path;
    EXPECT_FALSE(response.body.empty()) << file.path;
    EXPECT_EQ(HeaderOf(response, "Content-Type"), file.type) << file.path;
    EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-cache") << file.path;
  }
  EXPECT_NE(HeaderOf(ServeDashboard(Get("/")), "Content-Security-Policy"), "");
}

TEST(DashboardHandler, ETagRevalidatesTo304) {
  const HttpResponse first = ServeDashboard(Get("/dashboard.js"));
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_EQ(etag.size(), 18u) << etag;  // "<16 hex digits>"
  EXPECT_EQ(etag, HeaderOf(ServeDashboard(Get("/dashboard.js")), "ETag"));
  EXPECT_NE(etag, HeaderOf(ServeDashboard(Get("/dashboard.css")), "ETag"));

  const HttpResponse again = ServeDashboard(Get("/dashboard.js", etag));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(ServeDashboard(Get("/dashboard.js", "W/" + etag)).status, 304);
  EXPECT_EQ(ServeDashboard(Get("/dashboard.js", "\"0000000000000000\"")).status, 200);
}

TEST(DashboardHandler, OnlyGetAndHead) {
  HttpRequest post = Get("/");
  post.method = "POST";
  const HttpResponse response = ServeDashboard(post);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(HeaderOf(response, "Allow"), "GET, HEAD");
  HttpRequest head = Get("/");
  head.method = "HEAD";
  EXPECT_EQ(ServeDashboard(head).status, 200);
}

}  // namespace
}  // namespace logbook::net
