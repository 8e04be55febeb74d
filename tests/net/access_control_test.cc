#include "net/access_control.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "net/basic_auth.h"
#include "net/metrics_text.h"

namespace logbook::net {
namespace {

AccessControlOptions Users(bool anonymous_read = false) {
  AccessControlOptions options;
  options.enabled = true;
  options.anonymous_read = anonymous_read;
  options.users = {{"app", Sha256("app-pw"), kRoleClient},
                   {"rep", Sha256("rep-pw"), kRolePeer},
                   {"ops", Sha256("ops-pw"), kRoleAdmin},
                   {"both", Sha256("both-pw"), kRoleClient | kRolePeer}};
  return options;
}

HttpRequest Request(std::string method, std::string path, std::string authorization = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
  return request;
}

// 0 for "let through", else the status of the refusal.
int Outcome(AccessControl& access, const HttpRequest& request) {
  const std::optional<HttpResponse> refused = access.Check(MatchRoute(request.path), request);
  return refused.has_value() ? refused->status : 0;
}

class AccessControlTest : public ::testing::Test {
 protected:
  Logger logger_{LogLevel::kError};
};

TEST_F(AccessControlTest, DisabledLetsEverythingThrough) {
  AccessControl access({}, logger_);
  EXPECT_EQ(Outcome(access, Request("PUT", "/eureka/apps/A/i/status")), 0);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/replication/events")), 0);
}

TEST_F(AccessControlTest, MissingCredentialsAre401WithAChallenge) {
  AccessControl access(Users(), logger_);
  const HttpRequest request = Request("GET", "/eureka/apps");
  const std::optional<HttpResponse> refused = access.Check(MatchRoute(request.path), request);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 401);
  bool challenged = false;
  for (const auto& [name, value] : refused->headers) {
    if (name == "WWW-Authenticate") challenged = value == "Basic realm=\"logbook\"";
  }
  EXPECT_TRUE(challenged);
  EXPECT_NE(refused->body.find("\"error\":\"unauthorized\""), std::string::npos) << refused->body;
  EXPECT_EQ(access.rejections(AuthRejection::kMissing), 1u);
}

TEST_F(AccessControlTest, WrongPasswordUnknownUserAndGarbageAre401) {
  AccessControl access(Users(), logger_);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", BasicAuthorization("app", "nope"))), 401);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", BasicAuthorization("eve", "app-pw"))),
            401);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", BasicAuthorization("app", "app-pw2"))),
            401);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", BasicAuthorization("app", "app-p"))), 401);
  EXPECT_EQ(access.rejections(AuthRejection::kBadCredentials), 4u);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", "Basic %%%")), 401);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", "Bearer abc")), 401);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", "")), 401);  // no header at all
  EXPECT_EQ(access.rejections(AuthRejection::kMalformed), 2u);
}

TEST_F(AccessControlTest, EmptyAuthorizationHeaderIsMalformedNotMissing) {
  AccessControl access(Users(/*anonymous_read=*/true), logger_);
  HttpRequest request = Request("GET", "/eureka/apps");
  request.headers.emplace_back("Authorization", "");
  EXPECT_EQ(Outcome(access, request), 401);
  EXPECT_EQ(access.rejections(AuthRejection::kMalformed), 1u);
}

TEST_F(AccessControlTest, RolesDecideBetween200And403) {
  AccessControl access(Users(), logger_);
  const std::string app = BasicAuthorization("app", "app-pw");
  const std::string rep = BasicAuthorization("rep", "rep-pw");
  const std::string ops = BasicAuthorization("ops", "ops-pw");
  const std::string both = BasicAuthorization("both", "both-pw");
  EXPECT_EQ(Outcome(access, Request("POST", "/eureka/apps/A", app)), 0);
  EXPECT_EQ(Outcome(access, Request("PUT", "/eureka/apps/A/i", app)), 0);
  EXPECT_EQ(Outcome(access, Request("DELETE", "/eureka/apps/A/i", app)), 0);
  EXPECT_EQ(Outcome(access, Request("PUT", "/eureka/apps/A/i/status", app)), 403);
  EXPECT_EQ(Outcome(access, Request("PUT", "/eureka/apps/A/i/metadata", app)), 403);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/status", app)), 403);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/replication/events", app)), 403);
  EXPECT_EQ(Outcome(access, Request("PUT", "/eureka/apps/A/i/status", ops)), 0);
  EXPECT_EQ(Outcome(access, Request("POST", "/eureka/apps/A", ops)), 0);
  EXPECT_EQ(Outcome(access, Request("GET", "/metrics", ops)), 0);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/replication/events", ops)), 403);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/replication/events", rep)), 0);
  EXPECT_EQ(Outcome(access, Request("POST", "/eureka/apps/A", rep)), 403);
  EXPECT_EQ(Outcome(access, Request("GET", "/eureka/apps", rep)), 0);
  // Several roles: the union.
  EXPECT_EQ(Outcome(access, Request("POST", "/eureka/apps/A", both)), 0);
  EXPECT_EQ(Outcome(access, Request("GET", "/logbook/v1/replication/events", both)), 0);
  EXPECT_EQ(access.rejections(AuthRejection::kForbidden), 6u);
}

TEST_F(AccessControlTest, ForbiddenBodySaysWhatRoleIsNeeded) {
  AccessControl access(Users(), logger_);
  const HttpRequest request =
      Request("PUT", "/eureka/apps/A/i/status", BasicAuthorization("app", "app-pw"));
  const std::optional<HttpResponse> refused = access.Check(MatchRoute(request.path), request);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->body,
            "{\"error\":\"forbidden\",\"detail\":\"user 'app' may not do status override "
            "(needs admin)\"}");
}

TEST_F(AccessControlTest, AnonymousReadOpensReadsOnly) {
  AccessControl closed(Users(false), logger_);
  AccessControl open(Users(true), logger_);
  for (const char* path : {"/eureka/apps", "/eureka/apps/A", "/", "/logbook/v1/status",
                           "/logbook/v1/events", "/metrics"}) {
    EXPECT_EQ(Outcome(closed, Request("GET", path)), 401) << path;
    EXPECT_EQ(Outcome(open, Request("GET", path)), 0) << path;
  }
  EXPECT_EQ(Outcome(open, Request("GET", "/logbook/v1/replication/events")), 401);
  EXPECT_EQ(Outcome(open, Request("POST", "/eureka/apps/A")), 401);
  EXPECT_EQ(Outcome(open, Request("DELETE", "/eureka/apps/A/i")), 401);
  // Wrong credentials are refused even where anonymous would pass.
  EXPECT_EQ(Outcome(open, Request("GET", "/eureka/apps", BasicAuthorization("app", "x"))), 401);
}

TEST_F(AccessControlTest, HealthIsAlwaysOpen) {
  AccessControl access(Users(), logger_);
  EXPECT_EQ(Outcome(access, Request("GET", "/healthz")), 0);
  EXPECT_EQ(Outcome(access, Request("GET", "/readyz", "Basic garbage")), 0);
}

TEST_F(AccessControlTest, RejectionsAreCountedForMetrics) {
  AccessControl access(Users(), logger_);
  Outcome(access, Request("GET", "/eureka/apps"));
  Outcome(access, Request("PUT", "/eureka/apps/A/i/status", BasicAuthorization("app", "app-pw")));
  std::string text;
  MetricsTextWriter writer(&text);
  access.Collect(writer);
  EXPECT_NE(text.find("logbook_auth_rejections_total{reason=\"missing\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("logbook_auth_rejections_total{reason=\"forbidden\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("logbook_auth_rejections_total{reason=\"bad_credentials\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("logbook_auth_enabled 1\n"), std::string::npos);
}

TEST_F(AccessControlTest, DebugLogNamesTheRejectionButNeverTheCredentials) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  Logger logger(LogLevel::kDebug, sink);
  AccessControl access(Users(), logger);
  const std::string header = BasicAuthorization("app", "app-pw");
  Outcome(access, Request("GET", "/metrics", header));
  Outcome(access, Request("GET", "/eureka/apps", BasicAuthorization("app", "wrong-pw")));
  std::rewind(sink);
  std::string logged;
  char chunk[4096];
  while (const std::size_t n = std::fread(chunk, 1, sizeof(chunk), sink)) logged.append(chunk, n);
  std::fclose(sink);
  EXPECT_NE(logged.find("msg=\"auth rejected\""), std::string::npos) << logged;
  EXPECT_NE(logged.find("rejection=forbidden"), std::string::npos) << logged;
  EXPECT_NE(logged.find("rejection=bad_credentials"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("app-pw"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("wrong-pw"), std::string::npos) << logged;
  EXPECT_EQ(logged.find(header.substr(6)), std::string::npos) << logged;
}

}  // namespace
}  // namespace logbook::net
