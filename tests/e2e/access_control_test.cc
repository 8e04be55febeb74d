// HTTP Basic access control against the real binary (README, "Access
// control"): 401 without or with wrong credentials, 403 without the role,
// anonymous reads, health probes always open, credentials never logged, and
// a two-node cluster whose pulls carry the peer credentials of --peers URLs.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/cluster_support.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

using logbook::testing::RunLogbook;

constexpr char kClientPassword[] = "client-pw-7Qx";
constexpr char kAdminPassword[] = "admin-pw-9Zr";
constexpr char kPeerPassword[] = "peer-pw-3Kd";

std::string BasicHeader(const std::string& user, const std::string& password) {
  return "Basic " + absl::Base64Escape(user + ":" + password);
}

Headers As(const std::string& user, const std::string& password, Headers headers = kAcceptJson) {
  headers.emplace_back("Authorization", BasicHeader(user, password));
  return headers;
}

Headers AsClient(Headers headers = kAcceptJson) {
  return As("app", kClientPassword, std::move(headers));
}
Headers AsAdmin(Headers headers = kAcceptJson) {
  return As("ops", kAdminPassword, std::move(headers));
}
Headers AsPeer(Headers headers = kAcceptJson) {
  return As("rep", kPeerPassword, std::move(headers));
}

// The admin's password is given as a SHA-256 digest, the others in plain.
std::string UsersFileText() {
  return absl::StrCat(
      "# logbook users\n"
      "app:client:plain:", kClientPassword, "\n",
      "ops:admin:sha256:",
      // printf %s admin-pw-9Zr | sha256sum
      "5a63b38b3f7256710daa94cfc16c78bbb528f36c7f65528438360a26189a48aa", "\n",
      "rep:peer:plain:", kPeerPassword, "\n");
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0600);
}

// Every secret of this file, raw and as it travels in a header.
std::vector<std::string> Secrets() {
  return {kClientPassword,
          kAdminPassword,
          kPeerPassword,
          BasicHeader("app", kClientPassword).substr(6),
          BasicHeader("ops", kAdminPassword).substr(6),
          BasicHeader("rep", kPeerPassword).substr(6),
          BasicHeader("app", "wrong").substr(6)};
}

::testing::AssertionResult HasNoSecret(const std::string& text) {
  for (const std::string& secret : Secrets()) {
    if (text.find(secret) != std::string::npos) {
      return ::testing::AssertionFailure() << "\"" << secret << "\" appears in:\n" << text;
    }
  }
  return ::testing::AssertionSuccess();
}

class AuthTest : public NodeTest {
 protected:
  AuthTest() { WriteFile(users_file(), UsersFileText()); }
  std::string users_file() const { return dir_.path() + "/users"; }
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.auth.enabled=true", "--set",
            "logbook.auth.users-file=" + users_file(), "--log-level", "debug",
            "--set", "logbook.access-log=true"};
  }
  HttpResult Register(const Headers& headers, const std::string& id = "o1") {
    Headers with_body = headers;
    with_body.emplace_back("Content-Type", "application/json");
    return http().Request("POST", "/eureka/v2/apps/ORDERS", with_body,
                          R("ORDERS", id, "h-" + id, "10.0.0.1").Json());
  }
};

TEST_F(AuthTest, HealthProbesStayOpen) {
  EXPECT_EQ(http().Get("/healthz").status, 200);
  EXPECT_EQ(http().Get("/readyz").status, 200);
  EXPECT_EQ(http().Get("/healthz", {{"Authorization", "Basic !!garbage!!"}}).status, 200);
}

TEST_F(AuthTest, MissingOrWrongCredentialsAre401WithAChallenge) {
  for (const std::string path : {"/eureka/v2/apps", "/eureka/apps/", "/eureka/apps/ORDERS"}) {
    const HttpResult anonymous = http().Get(path, kAcceptJson);
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_EQ(anonymous.Header("WWW-Authenticate"), "Basic realm=\"logbook\"") << path;
    const Json body(anonymous.body);
    EXPECT_EQ(body.StringAt("/error"), "unauthorized") << anonymous.body;
    EXPECT_TRUE(body.StringAt("/detail").has_value()) << anonymous.body;
  }
  EXPECT_EQ(http().Get("/eureka/apps", As("app", "wrong")).status, 401);
  EXPECT_EQ(http().Get("/eureka/apps", As("nobody", kClientPassword)).status, 401);
  Headers garbage = kAcceptJson;
  garbage.emplace_back("Authorization", "Basic not*base64");
  EXPECT_EQ(http().Get("/eureka/apps", garbage).status, 401);
  Headers huge = kAcceptJson;
  huge.emplace_back("Authorization", "Basic " + std::string(20000, 'A'));
  EXPECT_EQ(http().Get("/eureka/apps", huge).status, 401);
  EXPECT_EQ(Register({}).status, 401);
  EXPECT_EQ(http().Get("/eureka/apps", AsClient()).status, 200);
}

TEST_F(AuthTest, ClientRegistersRenewsAndCancelsButOnlyAnAdminOverrides) {
  ASSERT_EQ(Register(AsClient()).status, 204);
  EXPECT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1", AsClient()).status, 200);
  const HttpResult refused =
      http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/status?value=OUT_OF_SERVICE", AsClient());
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Json(refused.body).StringAt("/error"), "forbidden") << refused.body;
  EXPECT_EQ(refused.Header("WWW-Authenticate"), "");
  EXPECT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/metadata?k=v", AsClient()).status,
            403);
  EXPECT_EQ(
      http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/status?value=OUT_OF_SERVICE", AsAdmin())
          .status,
      200);
  EXPECT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1/metadata?k=v", AsAdmin()).status,
            200);
  // A client may not pass for a peer by marking its write as replicated.
  Headers replicated = AsClient();
  replicated.emplace_back("x-netflix-discovery-replication", "true");
  EXPECT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1", replicated).status, 403);
  EXPECT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1", AsClient()).status, 200);
}

TEST_F(AuthTest, OperatorEndpointsNeedTheAdminRoleAndPeerPullsThePeerRole) {
  for (const std::string path :
       {"/logbook/v1/status", "/logbook/v1/events?from=1", "/metrics", "/"}) {
    EXPECT_EQ(http().Get(path).status, 401) << path;
    EXPECT_EQ(http().Get(path, AsClient()).status, 403) << path;
    EXPECT_EQ(http().Get(path, AsAdmin()).status, 200) << path;
  }
  const std::string pull = "/logbook/v1/replication/events?from=1";
  EXPECT_EQ(http().Get(pull).status, 401);
  EXPECT_EQ(http().Get(pull, AsAdmin()).status, 403);
  EXPECT_EQ(http().Get(pull, AsPeer()).status, 200);
}

TEST_F(AuthTest, RejectionsAreCountedInMetrics) {
  ASSERT_EQ(http().Get("/eureka/apps").status, 401);
  ASSERT_EQ(http().Get("/eureka/apps", As("app", "wrong")).status, 401);
  ASSERT_EQ(http().Get("/metrics", AsClient()).status, 403);
  const HttpResult metrics = http().Get("/metrics", AsAdmin());
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("logbook_auth_rejections_total{reason=\"missing\"} 1\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("logbook_auth_rejections_total{reason=\"bad_credentials\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("logbook_auth_rejections_total{reason=\"forbidden\"} 1\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("logbook_auth_enabled 1\n"), std::string::npos);
}

TEST_F(AuthTest, CredentialsNeverReachTheLogs) {
  ASSERT_EQ(Register(AsClient()).status, 204);
  ASSERT_EQ(http().Get("/eureka/apps", As("app", "wrong")).status, 401);
  ASSERT_EQ(http().Get("/metrics", AsClient()).status, 403);
  ASSERT_EQ(http().Get("/logbook/v1/status", AsAdmin()).status, 200);
  // A request the server refuses before any handler (bad header line) still
  // carries the header.
  HttpClient raw(port());
  ASSERT_TRUE(raw.SendRaw("GET /eureka/apps HTTP/1.1\r\nAuthorization: " +
                          BasicHeader("app", kClientPassword) + "\r\nBad Header\r\n\r\n"));
  EXPECT_EQ(raw.ReadResponse().status, 400);
  StopNode();
  const std::string output = node_->Output();
  // The access log and the debug lines were written...
  EXPECT_NE(output.find("msg=request "), std::string::npos) << output;
  EXPECT_NE(output.find("msg=\"auth rejected\""), std::string::npos) << output;
  EXPECT_NE(output.find("rejection=bad_credentials"), std::string::npos) << output;
  // ...and none of them holds a password or an Authorization value.
  EXPECT_TRUE(HasNoSecret(output));
  EXPECT_EQ(output.find("Authorization"), std::string::npos) << output;
}

class AnonymousReadTest : public AuthTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    std::vector<std::string> args = AuthTest::NodeArgs();
    args.insert(args.end(), {"--set", "logbook.auth.anonymous-read=true"});
    return args;
  }
};

TEST_F(AnonymousReadTest, ReadsNeedNoCredentialsButWritesDo) {
  ASSERT_EQ(Register(AsClient()).status, 204);
  for (const std::string path : {"/eureka/v2/apps", "/eureka/apps/ORDERS", "/eureka/apps/delta",
                                  "/", "/logbook/v1/status", "/logbook/v1/history?app=ORDERS",
                                  "/metrics"}) {
    EXPECT_EQ(http().Get(path, kAcceptJson).status, 200) << path;
  }
  EXPECT_EQ(Register({}, "o2").status, 401);
  EXPECT_EQ(http().Request("PUT", "/eureka/v2/apps/ORDERS/o1").status, 401);
  EXPECT_EQ(http().Request("DELETE", "/eureka/v2/apps/ORDERS/o1").status, 401);
  EXPECT_EQ(http().Get("/logbook/v1/replication/events?from=1").status, 401);
  // Credentials, when sent, are still checked.
  EXPECT_EQ(http().Get("/eureka/apps", As("app", "wrong")).status, 401);
}

class AuthFromEnvironmentTest : public NodeTest {
 protected:
  AuthFromEnvironmentTest() { ::setenv("LOGBOOK_AUTH_ADMIN", "envops:env-pw", 1); }
  ~AuthFromEnvironmentTest() override { ::unsetenv("LOGBOOK_AUTH_ADMIN"); }
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.auth.enabled=true"};
  }
};

TEST_F(AuthFromEnvironmentTest, AdminFromTheEnvironmentIsAccepted) {
  EXPECT_EQ(http().Get("/logbook/v1/status").status, 401);
  EXPECT_EQ(http().Get("/logbook/v1/status", As("envops", "env-pw")).status, 200);
  EXPECT_EQ(http().Get("/logbook/v1/status", As("envops", "env-pw2")).status, 401);
}

TEST(AuthStartup, BadUsersFileStopsTheNodeNamingTheLineNotTheSecret) {
  TempDir dir(ScratchParent());
  const std::string users = dir.path() + "/users";
  WriteFile(users, "ok:client:plain:fine\nbad:superuser:plain:hunter2-secret\n");
  std::string output;
  const int code = RunLogbook({"serve", "--port", "0", "--data-dir", dir.path() + "/data",
                               "--set", "logbook.auth.enabled=true", "--set",
                               "logbook.auth.users-file=" + users},
                              &output);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find(users + ":2: unknown role \\\"superuser\\\""), std::string::npos)
      << output;
  EXPECT_EQ(output.find("hunter2-secret"), std::string::npos) << output;
}

TEST(AuthStartup, EnabledWithoutUsersStopsTheNode) {
  TempDir dir(ScratchParent());
  std::string output;
  const int code = RunLogbook({"serve", "--port", "0", "--data-dir", dir.path() + "/data",
                               "--set", "logbook.auth.enabled=true"},
                              &output);
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("no user is defined"), std::string::npos) << output;
}

// Registers ORDERS/o1 with the client role's credentials; the status.
int RegisterOrdersAsClient(HttpClient& client) {
  Headers headers = AsClient();
  headers.emplace_back("Content-Type", "application/json");
  return client.Request("POST", "/eureka/v2/apps/ORDERS", headers,
                        R("ORDERS", "o1", "h1", "10.0.0.1").Json())
      .status;
}

// Two nodes with auth on. `peer_userinfo[i]` is put in node i's URL of the
// other node ("" = none).
class AuthCluster {
 public:
  explicit AuthCluster(const std::vector<std::string>& peer_userinfo,
                       const std::vector<std::string>& extra_args = {}) {
    WriteFile(dir_.path() + "/users", UsersFileText());
    ports_ = {PickFreePort(), PickFreePort()};
    for (int i = 0; i < 2; ++i) {
      const std::string peer = absl::StrCat("http://", peer_userinfo[i], "127.0.0.1:",
                                            ports_[1 - i]);
      std::vector<std::string> args{"--port", std::to_string(ports_[i]), "--node-id",
                                    absl::StrCat("n", i), "--peers", peer, "--set",
                                    "logbook.auth.enabled=true", "--set",
                                    "logbook.auth.users-file=" + dir_.path() + "/users",
                                    "--log-level", "debug"};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      nodes_.push_back(
          std::make_unique<NodeProcess>(absl::StrCat(dir_.path(), "/n", i), std::move(args)));
    }
  }
  // Starts both and waits until both are ready (past any bootstrap phase,
  // during which a node answers 503).
  bool Start() {
    if (!nodes_[0]->Start() || !nodes_[1]->Start()) return false;
    return Await(
        [&] {
          return HttpClient(ports_[0]).Get("/readyz").status == 200 &&
                 HttpClient(ports_[1]).Get("/readyz").status == 200;
        },
        std::chrono::seconds(20));
  }
  int port(int i) const { return ports_[i]; }
  NodeProcess& node(int i) { return *nodes_[i]; }
  HttpResult Get(int i, const std::string& target, const Headers& headers) {
    HttpClient client(ports_[i]);
    return client.Get(target, headers);
  }

 private:
  TempDir dir_{ScratchParent()};
  std::vector<int> ports_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
};

TEST(AuthReplication, PeersPullWithTheCredentialsOfTheirUrls) {
  const std::string userinfo = absl::StrCat("rep:", kPeerPassword, "@");
  AuthCluster cluster({userinfo, userinfo});
  ASSERT_TRUE(cluster.Start()) << cluster.node(0).Output() << cluster.node(1).Output();
  HttpClient client(cluster.port(0));
  ASSERT_EQ(RegisterOrdersAsClient(client), 204);
  EXPECT_TRUE(Await(
      [&] {
        const HttpResult apps = cluster.Get(1, "/eureka/v2/apps/ORDERS", AsClient());
        return apps.status == 200 && apps.body.find("\"o1\"") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << cluster.node(1).Output();
  const HttpResult status = cluster.Get(1, "/logbook/v1/status", AsAdmin());
  ASSERT_EQ(status.status, 200);
  const Json doc(status.body);
  EXPECT_EQ(doc.StringAt("/peers/0/url"),
            absl::StrCat("http://rep:***@127.0.0.1:", cluster.port(0)))
      << status.body;
  EXPECT_EQ(doc.StringAt("/peers/0/last_error"), "") << status.body;
  const HttpResult eureka_status = cluster.Get(1, "/eureka/status", AsClient());
  EXPECT_TRUE(HasNoSecret(status.body + eureka_status.body));
  cluster.node(0).Stop(SIGTERM);
  cluster.node(1).Stop(SIGTERM);
  EXPECT_TRUE(HasNoSecret(cluster.node(0).Output() + cluster.node(1).Output()));
}

TEST(AuthReplication, PullsWithoutOrWithWrongCredentialsFailVisibly) {
  // Node 0 knows node 1 without credentials; node 1 knows node 0 as a client.
  // Both start on new data dirs: without bootstrap, so that both pull (the
  // next test covers a bootstrap refused for its credentials).
  AuthCluster cluster({"", absl::StrCat("app:", kClientPassword, "@")},
                      {"--set", "logbook.replication.bootstrap=false"});
  ASSERT_TRUE(cluster.Start()) << cluster.node(0).Output() << cluster.node(1).Output();
  std::string last_error[2];
  EXPECT_TRUE(Await(
      [&] {
        for (int i = 0; i < 2; ++i) {
          const HttpResult status = cluster.Get(i, "/logbook/v1/status", AsAdmin());
          if (status.status != 200) return false;
          last_error[i] = Json(status.body).StringAt("/peers/0/last_error").value_or("");
        }
        return last_error[0].find("HTTP 401") != std::string::npos &&
               last_error[1].find("HTTP 403") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << last_error[0] << "\n" << last_error[1];
  const HttpResult status = cluster.Get(1, "/logbook/v1/status", AsAdmin());
  EXPECT_EQ(Json(status.body).StringAt("/peers/0/state"), "backoff") << status.body;
  EXPECT_TRUE(HasNoSecret(status.body));
}

// A new node whose credentials the peer refuses cannot bootstrap: it stays
// not ready (never serving an empty registry the cluster does not have) and
// says why in /readyz, without the password.
TEST(AuthReplication, BootstrapRefusedForItsCredentialsSaysSoInReadyz) {
  AuthCluster cluster({"", absl::StrCat("app:", kClientPassword, "@")});
  ASSERT_TRUE(cluster.node(0).Start()) << cluster.node(0).Output();
  // Its peer is down: it starts empty after one bootstrap round.
  ASSERT_TRUE(Await([&] { return cluster.Get(0, "/readyz", {}).status == 200; },
                    std::chrono::seconds(20)))
      << cluster.node(0).Output();
  HttpClient client(cluster.port(0));
  ASSERT_EQ(RegisterOrdersAsClient(client), 204);
  ASSERT_TRUE(cluster.node(1).Start()) << cluster.node(1).Output();
  std::string readyz;
  EXPECT_TRUE(Await(
      [&] {
        const HttpResult result = cluster.Get(1, "/readyz", {});
        readyz = result.body;
        return result.status == 503 && readyz.find("HTTP 403") != std::string::npos;
      },
      std::chrono::seconds(20)))
      << readyz << "\n" << cluster.node(1).Output();
  EXPECT_TRUE(HasNoSecret(readyz));
  EXPECT_TRUE(HasNoSecret(cluster.node(1).Output()));
}

}  // namespace
}  // namespace logbook::e2e
