#include "app/access_control_config.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "net/basic_auth.h"
#include "net/password_digest.h"

namespace logbook::app {
namespace {

::testing::AssertionResult FailsMentioning(const absl::Status& status, const std::string& text) {
  if (status.ok()) return ::testing::AssertionFailure() << "expected an error";
  if (std::string(status.message()).find(text) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "\"" << status.message() << "\" does not mention \"" << text << "\"";
  }
  return ::testing::AssertionSuccess();
}

EnvLookup FakeEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

const std::string kBobDigest = net::HexDigest(net::Sha256("bob-password"));

TEST(ParseUsers, ReadsRolesAndBothSecretForms) {
  const auto users = ParseUsers(
      "# who may do what\n"
      "\n"
      "alice:client:plain:pa:ss:word\n"
      "  bob : admin , client : sha256:" + kBobDigest + "\n"
      "carol:peer,admin:plain:c\n",
      "users");
  ASSERT_TRUE(users.ok()) << users.status();
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ((*users)[0].name, "alice");
  EXPECT_EQ((*users)[0].roles, net::kRoleClient);
  // The password takes the rest of the line, colons included.
  EXPECT_TRUE(net::DigestsEqual((*users)[0].password_sha256, net::Sha256("pa:ss:word")));
  EXPECT_EQ((*users)[1].roles, net::kRoleAdmin | net::kRoleClient);
  EXPECT_TRUE(net::DigestsEqual((*users)[1].password_sha256, net::Sha256("bob-password")));
  EXPECT_EQ((*users)[2].roles, net::kRolePeer | net::kRoleAdmin);
}

TEST(ParseUsers, BadLinesAreRefusedNamingTheLineButNotTheSecret) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"alice:client\n", "users:1: expected user:role[,role]:secret"},
      {"# ok\nalice:root:plain:topsecret\n", "users:2: unknown role \"root\""},
      {"alice:client:topsecret\n", "users:1: the secret must start with sha256:"},
      {"alice:client:sha256:abc\n", "users:1: sha256: must be followed by 64 hex digits"},
      {"alice:client:plain:\n", "users:1: empty password"},
      {":client:plain:topsecret\n", "users:1: the user name must be non-empty"},
      {"al ice:client:plain:topsecret\n", "users:1: the user name"},
      {"a:client:plain:x\n\na:admin:plain:topsecret\n", "users:3: user \"a\" already defined at line 1"},
      {"alice::plain:topsecret\n", "users:1: unknown role"},
  };
  for (const auto& [text, expected] : cases) {
    const auto users = ParseUsers(text, "users");
    EXPECT_TRUE(FailsMentioning(users.status(), expected)) << text;
    EXPECT_EQ(std::string(users.status().message()).find("topsecret"), std::string::npos)
        << users.status();
  }
}

TEST(AccessControlFrom, DisabledNeedsNoUsers) {
  const auto setup = AccessControlFrom(Config{}, FakeEnv({}));
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_FALSE(setup->options.enabled);
}

TEST(AccessControlFrom, EnabledWithoutAnyUserIsRefused) {
  Config config;
  config.auth_enabled = true;
  EXPECT_TRUE(FailsMentioning(AccessControlFrom(config, FakeEnv({})).status(),
                              "no user is defined"));
}

TEST(AccessControlFrom, EnvironmentGivesOneRoleEachAndMergesTheSameUser) {
  Config config;
  config.auth_enabled = true;
  config.auth_anonymous_read = true;
  const auto setup = AccessControlFrom(config, FakeEnv({{"LOGBOOK_AUTH_CLIENT", "app:pw"},
                                                        {"LOGBOOK_AUTH_ADMIN", "app:pw"},
                                                        {"LOGBOOK_AUTH_PEER", "rep:pw2"}}));
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_TRUE(setup->options.anonymous_read);
  ASSERT_EQ(setup->options.users.size(), 2u);
  EXPECT_EQ(setup->options.users[0].name, "app");
  EXPECT_EQ(setup->options.users[0].roles, net::kRoleClient | net::kRoleAdmin);
  EXPECT_EQ(setup->options.users[1].name, "rep");
  EXPECT_EQ(setup->options.users[1].roles, net::kRolePeer);
}

TEST(AccessControlFrom, SameUserWithTwoPasswordsIsRefused) {
  Config config;
  config.auth_enabled = true;
  const auto setup = AccessControlFrom(
      config, FakeEnv({{"LOGBOOK_AUTH_CLIENT", "app:one"}, {"LOGBOOK_AUTH_ADMIN", "app:two"}}));
  EXPECT_TRUE(FailsMentioning(setup.status(), "two different passwords"));
}

TEST(AccessControlFrom, MalformedEnvironmentValueNamesTheVariableOnly) {
  Config config;
  config.auth_enabled = true;
  const auto setup = AccessControlFrom(config, FakeEnv({{"LOGBOOK_AUTH_ADMIN", "topsecret"}}));
  EXPECT_TRUE(FailsMentioning(setup.status(), "LOGBOOK_AUTH_ADMIN: expected user:password"));
  EXPECT_EQ(std::string(setup.status().message()).find("topsecret"), std::string::npos);
}

TEST(AccessControlFrom, MissingUsersFileIsRefusedNamingIt) {
  Config config;
  config.auth_enabled = true;
  config.auth_users_file = "/nonexistent/logbook-users";
  EXPECT_TRUE(FailsMentioning(AccessControlFrom(config, FakeEnv({})).status(),
                              "/nonexistent/logbook-users: cannot open"));
}

// A users file on disk, removed at the end of the test.
class UsersFile {
 public:
  UsersFile(const std::string& text, mode_t mode)
      : path_(std::filesystem::temp_directory_path() /
              ("logbook-users-" + std::to_string(::getpid()))) {
    std::ofstream(path_) << text;
    std::filesystem::permissions(path_, static_cast<std::filesystem::perms>(mode));
  }
  ~UsersFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(AccessControlFrom, FileAndEnvironmentTogether) {
  const UsersFile file("app:client:plain:pw\n", 0600);
  Config config;
  config.auth_enabled = true;
  config.auth_users_file = file.path();
  const auto setup = AccessControlFrom(config, FakeEnv({{"LOGBOOK_AUTH_ADMIN", "app:pw"},
                                                        {"LOGBOOK_AUTH_PEER", "rep:pw2"}}));
  ASSERT_TRUE(setup.ok()) << setup.status();
  EXPECT_TRUE(setup->warnings.empty());
  ASSERT_EQ(setup->options.users.size(), 2u);
  EXPECT_EQ(setup->options.users[0].roles, net::kRoleClient | net::kRoleAdmin);
  EXPECT_EQ(setup->options.users[1].roles, net::kRolePeer);
}

TEST(AccessControlFrom, UsersFileOthersCanReadIsAWarning) {
  const UsersFile file("app:client:plain:pw\n", 0644);
  Config config;
  config.auth_enabled = true;
  config.auth_users_file = file.path();
  const auto setup = AccessControlFrom(config, FakeEnv({}));
  ASSERT_TRUE(setup.ok()) << setup.status();
  ASSERT_EQ(setup->warnings.size(), 1u);
  EXPECT_NE(setup->warnings[0].find("chmod 600"), std::string::npos) << setup->warnings[0];
}

TEST(AccessControlFrom, BadLineInTheFileNamesFileAndLine) {
  const UsersFile file("# users\napp:client:hunter2\n", 0600);
  Config config;
  config.auth_enabled = true;
  config.auth_users_file = file.path();
  const absl::Status status = AccessControlFrom(config, FakeEnv({})).status();
  EXPECT_TRUE(FailsMentioning(status, "users file " + file.path() + ":2: "));
  EXPECT_EQ(std::string(status.message()).find("hunter2"), std::string::npos) << status;
}

TEST(PeerAuthorizationFrom, SettingBeatsEnvironment) {
  Config config;
  EXPECT_EQ(PeerAuthorizationFrom(config, FakeEnv({})), "");
  EXPECT_EQ(PeerAuthorizationFrom(config, FakeEnv({{"LOGBOOK_AUTH_PEER", "rep:pw"}})),
            net::BasicAuthorization("rep", "pw"));
  config.auth_peer_credentials = "other:pw2";
  EXPECT_EQ(PeerAuthorizationFrom(config, FakeEnv({{"LOGBOOK_AUTH_PEER", "rep:pw"}})),
            net::BasicAuthorization("other", "pw2"));
}

}  // namespace
}  // namespace logbook::app
