#include "app/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "app/cli.h"
#include "tests/app/command_line_args.h"

namespace logbook::app {
namespace {

// Plain gtest (app_tests does not link gmock).
::testing::AssertionResult IsInvalidArgumentMentioning(const absl::Status& status,
                                                       const std::string& text) {
  if (status.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "expected InvalidArgument, got " << status;
  }
  if (std::string(status.message()).find(text) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "\"" << status.message() << "\" does not mention \"" << text << "\"";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << part << "\" not found in:\n" << text;
}

bool Contains(const std::vector<std::pair<std::string, std::string>>& described,
              const std::string& key, const std::string& value) {
  return std::find(described.begin(), described.end(), std::make_pair(key, value)) !=
         described.end();
}

// A file under the test's temporary directory, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            (std::string(info->test_suite_name()) + "." + info->name() + ".conf");
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

using test_support::Args;
using test_support::Parse;

Config ParseServeOrDie(Args args) {
  auto result = Parse(std::move(args));
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok() || !result->has_value()) return Config{};
  const auto* serve = std::get_if<ServeCommand>(&**result);
  EXPECT_NE(serve, nullptr) << "not a serve command";
  return serve == nullptr ? Config{} : serve->config;
}

Config Apply(std::initializer_list<std::pair<std::string, std::string>> settings) {
  Config config;
  for (const auto& [key, value] : settings) {
    const absl::Status status = ApplySetting(config, key, value);
    EXPECT_TRUE(status.ok()) << key << "=" << value << ": " << status;
  }
  return config;
}

TEST(ApplySetting, EveryKeySetsItsField) {
  const Config c = Apply({
      {"logbook.server.host", "0.0.0.0"},
      {"logbook.server.port", "9000"},
      {"logbook.data-dir", "/var/lib/logbook"},
      {"logbook.node-id", "node-a"},
      {"logbook.peers", "http://a:1,http://b:2"},
      {"logbook.eureka-peers", "http://e:8761/eureka/"},
      {"logbook.eureka-peers.max-queue-items", "77"},
      {"logbook.log.sync", "none"},
      {"eureka.server.enable-self-preservation", "false"},
      {"eureka.server.renewal-percent-threshold", "0.5"},
      {"eureka.server.eviction-interval-timer-in-ms", "1000"},
      {"eureka.server.retention-time-in-ms-in-delta-queue", "2000"},
      {"eureka.server.expected-client-renewal-interval-seconds", "10"},
      {"eureka.server.renewal-threshold-update-interval-ms", "3000"},
      {"eureka.server.disable-delta", "true"},
      {"eureka.server.use-read-only-response-cache", "false"},
      {"eureka.server.sync-when-timestamp-differs", "false"},
      {"eureka.instance.registry.expected-number-of-clients-sending-renews", "7"},
      {"logbook.evictor.restart-grace-ms", "4000"},
      {"logbook.events.max-wait-ms", "5000"},
      {"logbook.log.renew-retention", "6000"},
      {"logbook.log.audit-retention", "7000"},
      {"logbook.snapshot.every-events", "8000"},
      {"logbook.snapshot.every-ms", "9000"},
      {"logbook.http.max-header-bytes", "2048"},
      {"logbook.http.max-body-bytes", "4096"},
      {"logbook.http.header-timeout-ms", "111"},
      {"logbook.http.idle-timeout-ms", "222"},
      {"logbook.http.max-connections", "333"},
      {"logbook.log-level", "debug"},
      {"logbook.access-log", "true"},
      {"logbook.auth.enabled", "true"},
      {"logbook.auth.users-file", "/etc/logbook/users"},
      {"logbook.auth.anonymous-read", "true"},
      {"logbook.auth.peer-credentials", "replicator:s3cret:with:colons"},
  });
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 9000);
  EXPECT_EQ(c.data_dir, "/var/lib/logbook");
  EXPECT_EQ(c.node_id, "node-a");
  EXPECT_EQ(c.peers, (std::vector<std::string>{"http://a:1", "http://b:2"}));
  EXPECT_EQ(c.eureka_peers, (std::vector<std::string>{"http://e:8761/eureka/"}));
  EXPECT_EQ(c.eureka_push_max_queue_items, 77);
  EXPECT_FALSE(c.sync_always);
  EXPECT_FALSE(c.enable_self_preservation);
  EXPECT_EQ(c.renewal_percent_threshold, 0.5);
  EXPECT_EQ(c.eviction_interval_timer_in_ms, 1000);
  EXPECT_EQ(c.retention_time_in_ms_in_delta_queue, 2000);
  EXPECT_EQ(c.expected_client_renewal_interval_seconds, 10);
  EXPECT_EQ(c.renewal_threshold_update_interval_ms, 3000);
  EXPECT_TRUE(c.disable_delta);
  EXPECT_FALSE(c.use_read_only_response_cache);
  EXPECT_FALSE(c.sync_when_timestamp_differs);
  EXPECT_EQ(c.expected_number_of_clients_sending_renews, 7);
  EXPECT_EQ(c.restart_grace_ms, 4000);
  EXPECT_EQ(c.events_max_wait_ms, 5000);
  EXPECT_EQ(c.renew_retention_ms, 6000);
  EXPECT_EQ(c.audit_retention_ms, 7000);
  EXPECT_EQ(c.snapshot_every_events, 8000);
  EXPECT_EQ(c.snapshot_every_ms, 9000);
  EXPECT_EQ(c.http_max_header_bytes, 2048);
  EXPECT_EQ(c.http_max_body_bytes, 4096);
  EXPECT_EQ(c.http_header_timeout_ms, 111);
  EXPECT_EQ(c.http_idle_timeout_ms, 222);
  EXPECT_EQ(c.http_max_connections, 333);
  EXPECT_EQ(c.log_level, LogLevel::kDebug);
  EXPECT_TRUE(c.access_log);
  EXPECT_TRUE(c.auth_enabled);
  EXPECT_EQ(c.auth_users_file, "/etc/logbook/users");
  EXPECT_TRUE(c.auth_anonymous_read);
  EXPECT_EQ(c.auth_peer_credentials, "replicator:s3cret:with:colons");
  EXPECT_TRUE(Validate(c).ok()) << Validate(c);
}

TEST(ApplySetting, LogLevelKeepsItsFirstSpelling) {
  EXPECT_EQ(Apply({{"logbook.log.level", "warn"}}).log_level, LogLevel::kWarn);
  EXPECT_EQ(Apply({{"logbook.log-level", "ERROR"}}).log_level, LogLevel::kError);
  EXPECT_FALSE(Config{}.access_log);
}

TEST(ApplySetting, DefaultsAreValid) { EXPECT_TRUE(Validate(Config{}).ok()); }

TEST(ApplySetting, SpringSpellingOfDeltaRetentionIsAccepted) {
  const Config c = Apply({{"eureka.server.retention-time-in-m-s-in-delta-queue", "12345"}});
  EXPECT_EQ(c.retention_time_in_ms_in_delta_queue, 12345);
}

TEST(ApplySetting, UnknownKeyIsAnErrorNamingIt) {
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(ApplySetting(config, "eureka.server.no-such-thing", "1"),
                                          "eureka.server.no-such-thing"));
}

TEST(ApplySetting, KeysAreExact) {
  Config config;
  EXPECT_FALSE(ApplySetting(config, "Logbook.Server.Port", "1").ok());
  EXPECT_FALSE(ApplySetting(config, " logbook.server.port", "1").ok());
  EXPECT_FALSE(ApplySetting(config, "eureka.server.enableSelfPreservation", "true").ok());
}

TEST(ApplySetting, ValuesAreTrimmed) {
  const Config c = Apply({{"logbook.server.port", "  81\t"}, {"logbook.server.host", " ::1 "}});
  EXPECT_EQ(c.port, 81);
  EXPECT_EQ(c.host, "::1");
}

TEST(ApplySetting, BooleansIgnoreCase) {
  EXPECT_TRUE(Apply({{"eureka.server.disable-delta", "TRUE"}}).disable_delta);
  EXPECT_FALSE(
      Apply({{"eureka.server.enable-self-preservation", "False"}}).enable_self_preservation);
}

TEST(ApplySetting, MalformedValuesAreErrorsNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"eureka.server.enable-self-preservation", "yes?"},
      {"eureka.server.disable-delta", ""},
      {"eureka.server.eviction-interval-timer-in-ms", "12x"},
      {"eureka.server.eviction-interval-timer-in-ms", "1.5"},
      {"eureka.server.eviction-interval-timer-in-ms", "+5"},
      {"eureka.server.eviction-interval-timer-in-ms", ""},
      {"eureka.server.eviction-interval-timer-in-ms", "99999999999999999999"},
      {"eureka.server.eviction-interval-timer-in-ms", "0"},
      {"eureka.server.expected-client-renewal-interval-seconds", "2147483648"},
      {"eureka.server.renewal-percent-threshold", "1.5"},
      {"eureka.server.renewal-percent-threshold", "0"},
      {"eureka.server.renewal-percent-threshold", "nan"},
      {"eureka.server.renewal-percent-threshold", "0.5x"},
      {"logbook.server.port", "-1"},
      {"logbook.server.port", "65536"},
      {"logbook.server.host", ""},
      {"logbook.data-dir", " "},
      {"logbook.node-id", "a\tb"},
      {"logbook.peers", "10.0.0.2:8761"},
      {"logbook.peers", "http://a:1,,http://b:2"},
      {"logbook.peers", "https://a:1"},
      {"logbook.eureka-peers", "e:8761/eureka/"},
      {"logbook.eureka-peers.max-queue-items", "0"},
      {"logbook.log.sync", "sometimes"},
      {"logbook.log.level", "verbose"},
      {"logbook.log-level", "trace"},
      {"logbook.access-log", "yes please"},
      {"logbook.evictor.restart-grace-ms", "-2"},
      {"logbook.events.max-wait-ms", "-1"},
      {"logbook.http.max-header-bytes", "1023"},
      {"logbook.http.max-body-bytes", "0"},
      {"logbook.http.max-connections", "0"},
      {"logbook.log.renew-retention", "0"},
      {"logbook.log.renew-retention", "5w"},
      {"logbook.log.renew-retention", "m"},
      {"logbook.log.audit-retention", "9999999999999999d"},
      {"logbook.auth.enabled", "on"},
      {"logbook.auth.anonymous-read", "1"},
      {"logbook.auth.peer-credentials", "no-colon"},
      {"logbook.auth.peer-credentials", ":password-without-user"},
  };
  for (const auto& [key, value] : cases) {
    Config config;
    const Config before = config;
    EXPECT_TRUE(IsInvalidArgumentMentioning(ApplySetting(config, key, value), key))
        << key << "=" << value;
    // A refused value leaves the config as it was.
    EXPECT_EQ(DescribeSettings(config), DescribeSettings(before)) << key << "=" << value;
  }
}

TEST(ApplySetting, MalformedValueMessageQuotesTheValue) {
  Config config;
  const absl::Status status = ApplySetting(config, "logbook.server.port", "12x");
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, "\"12x\""));
}

TEST(ApplySetting, PortZeroMeansPickAFreePort) {
  EXPECT_EQ(Apply({{"logbook.server.port", "0"}}).port, 0);
}

TEST(ApplySetting, RestartGraceAcceptsMinusOne) {
  EXPECT_EQ(Apply({{"logbook.evictor.restart-grace-ms", "-1"}}).restart_grace_ms, -1);
}

TEST(ApplySetting, DurationsAcceptUnits) {
  EXPECT_EQ(Apply({{"logbook.log.renew-retention", "250"}}).renew_retention_ms, 250);
  EXPECT_EQ(Apply({{"logbook.log.retention-interval-ms", "100"}}).retention_interval_ms, 100);
  EXPECT_TRUE(Apply({{"logbook.log.test-only-retention-without-snapshot", "true"}})
                  .test_only_retention_without_snapshot);
  EXPECT_EQ(Apply({{"logbook.log.renew-retention", "250ms"}}).renew_retention_ms, 250);
  EXPECT_EQ(Apply({{"logbook.log.renew-retention", "90s"}}).renew_retention_ms, 90000);
  EXPECT_EQ(Apply({{"logbook.log.renew-retention", "15m"}}).renew_retention_ms, 900000);
  EXPECT_EQ(Apply({{"logbook.snapshot.every-ms", "2h"}}).snapshot_every_ms, 7200000);
  EXPECT_EQ(Apply({{"logbook.log.audit-retention", "30d"}}).audit_retention_ms,
            30LL * 24 * 3600 * 1000);
}

TEST(ApplySetting, PlainMsKeysDoNotTakeUnits) {
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      ApplySetting(config, "eureka.server.eviction-interval-timer-in-ms", "5s"),
      "eviction-interval-timer-in-ms"));
}

TEST(ApplySetting, EmptyPeersMeansNone) {
  Config config;
  config.peers = {"http://a:1"};
  ASSERT_TRUE(ApplySetting(config, "logbook.peers", "").ok());
  EXPECT_TRUE(config.peers.empty());
}

TEST(ApplySetting, PeersAreSplitAndTrimmed) {
  EXPECT_EQ(
      Apply({{"logbook.peers", " http://10.0.0.2:8761 , http://10.0.0.3:8761/eureka "}}).peers,
      (std::vector<std::string>{"http://10.0.0.2:8761", "http://10.0.0.3:8761/eureka"}));
}

TEST(Validate, NamesTheOffendingKey) {
  Config config;
  config.renewal_percent_threshold = 0;
  EXPECT_TRUE(
      IsInvalidArgumentMentioning(Validate(config), "eureka.server.renewal-percent-threshold"));
  config = Config{};
  config.port = 70000;
  EXPECT_TRUE(IsInvalidArgumentMentioning(Validate(config), "logbook.server.port"));
  config = Config{};
  config.http_max_header_bytes = 100;
  EXPECT_TRUE(IsInvalidArgumentMentioning(Validate(config), "logbook.http.max-header-bytes"));
  config = Config{};
  config.peers = {"ftp://x"};
  EXPECT_TRUE(IsInvalidArgumentMentioning(Validate(config), "logbook.peers"));
}

TEST(DescribeSettings, ListsEveryKeyWithItsValue) {
  Config config;
  config.peers = {"http://a:1", "http://b:2"};
  const auto described = DescribeSettings(config);
  std::set<std::string> keys;
  for (const auto& [key, value] : described) keys.insert(key);
  EXPECT_EQ(keys.size(), described.size()) << "duplicate key";
  EXPECT_EQ(keys.size(), 45u);
  EXPECT_TRUE(Contains(described, "logbook.replication.bootstrap", "true"));
  EXPECT_TRUE(Contains(described, "logbook.replication.test-only-waiting-retry-ms", "50"));
  EXPECT_TRUE(Contains(described, "logbook.replication.test-only-merge-pause-ms", "0"));
  EXPECT_TRUE(Contains(described, "logbook.snapshot.test-only-slice-items", "0"));
  EXPECT_TRUE(Contains(described, "logbook.log.retention-interval-ms", "1m"));
  EXPECT_TRUE(Contains(described, "logbook.log.test-only-retention-without-snapshot", "false"));
  EXPECT_TRUE(Contains(described, "eureka.server.renewal-percent-threshold", "0.85"));
  EXPECT_TRUE(Contains(described, "logbook.log.renew-retention", "15m"));
  EXPECT_TRUE(Contains(described, "logbook.peers", "http://a:1,http://b:2"));
  EXPECT_TRUE(Contains(described, "logbook.log.sync", "always"));
}

TEST(DescribeSettings, MasksPasswordsOfPeerCredentialsAndPeerUrls) {
  Config config = Apply({{"logbook.peers", "http://a:1,http://rep:hunter2@b:2/eureka/"},
                         {"logbook.auth.peer-credentials", "rep:hunter2"}});
  const auto described = DescribeSettings(config);
  EXPECT_TRUE(Contains(described, "logbook.peers", "http://a:1,http://rep:***@b:2/eureka/"));
  EXPECT_TRUE(Contains(described, "logbook.auth.peer-credentials", "rep:***"));
  for (const auto& [key, value] : described) {
    EXPECT_EQ(value.find("hunter2"), std::string::npos) << key;
  }
}

TEST(ApplySetting, MalformedPeerUrlMessageMasksThePassword) {
  Config config;
  const absl::Status status =
      ApplySetting(config, "logbook.peers", "http://rep:hunter2@b:2,,http://c:3");
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, "logbook.peers"));
  EXPECT_EQ(std::string(status.message()).find("hunter2"), std::string::npos) << status;
}

TEST(ApplySetting, MalformedPeerCredentialsMessageHidesTheValue) {
  Config config;
  const absl::Status status =
      ApplySetting(config, "logbook.auth.peer-credentials", "hunter2-without-user");
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, "logbook.auth.peer-credentials"));
  EXPECT_EQ(std::string(status.message()).find("hunter2"), std::string::npos) << status;
}

TEST(ApplySetting, BootstrapCanBeTurnedOff) {
  EXPECT_TRUE(Config{}.replication_bootstrap);
  EXPECT_FALSE(Apply({{"logbook.replication.bootstrap", "false"}}).replication_bootstrap);
  EXPECT_EQ(Apply({{"logbook.replication.test-only-bootstrap-delay-ms", "250"}})
                .test_only_bootstrap_delay_ms,
            250);
  EXPECT_EQ(Apply({{"logbook.replication.test-only-waiting-retry-ms", "3000"}})
                .test_only_waiting_retry_ms,
            3000);
  Config config;
  EXPECT_FALSE(ApplySetting(config, "logbook.replication.bootstrap", "maybe").ok());
  EXPECT_FALSE(ApplySetting(config, "logbook.replication.test-only-waiting-retry-ms", "0").ok());
}

TEST(ApplySetting, MergeTestHooksAreOffByDefaultAndRefuseNegatives) {
  EXPECT_EQ(Config{}.test_only_merge_task_instances, 0);
  EXPECT_EQ(Config{}.test_only_merge_pause_ms, 0);
  const Config hooked = Apply({{"logbook.replication.test-only-merge-task-instances", "1"},
                               {"logbook.replication.test-only-merge-pause-ms", "100"}});
  EXPECT_EQ(hooked.test_only_merge_task_instances, 1);
  EXPECT_EQ(hooked.test_only_merge_pause_ms, 100);
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      ApplySetting(config, "logbook.replication.test-only-merge-pause-ms", "-1"),
      "logbook.replication.test-only-merge-pause-ms"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      ApplySetting(config, "logbook.replication.test-only-merge-task-instances", "x"),
      "logbook.replication.test-only-merge-task-instances"));
}

TEST(DescribeSettings, ValuesReadBackToTheSameConfig) {
  Config config = Apply({{"logbook.peers", "http://a:1,http://b:2"},
                         {"logbook.log.audit-retention", "1500"},
                         {"logbook.log.level", "warn"},
                         {"eureka.server.renewal-percent-threshold", "0.1"}});
  Config copy;
  for (const auto& [key, value] : DescribeSettings(config)) {
    ASSERT_TRUE(ApplySetting(copy, key, value).ok()) << key << "=" << value;
  }
  EXPECT_EQ(DescribeSettings(copy), DescribeSettings(config));
}

TEST(ApplyConfigFile, ReadsKeyValueLinesWithCommentsAndBlankLines) {
  TempFile file(
      "# a Logbook config\n"
      "\n"
      "logbook.server.port = 9001\n"
      "   logbook.server.host=10.1.2.3   \n"
      "\t# indented comment\n"
      "eureka.server.enable-self-preservation = FALSE  # trailing comment\n"
      "logbook.data-dir = /data/dir#1\n"
      "logbook.log.renew-retention = 10m\r\n");
  Config config;
  ASSERT_TRUE(ApplyConfigFile(config, file.path()).ok());
  EXPECT_EQ(config.port, 9001);
  EXPECT_EQ(config.host, "10.1.2.3");
  EXPECT_FALSE(config.enable_self_preservation);
  EXPECT_EQ(config.data_dir, "/data/dir#1");
  EXPECT_EQ(config.renew_retention_ms, 600000);
}

TEST(ApplyConfigFile, ErrorNamesFileLineAndKey) {
  TempFile file("# ok\nlogbook.server.port = 1\n\neureka.server.disable-delta = maybe\n");
  Config config;
  const absl::Status status = ApplyConfigFile(config, file.path());
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, file.path() + ":4: "));
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, "eureka.server.disable-delta"));
}

TEST(ApplyConfigFile, UnknownKeyNamesLine) {
  TempFile file("logbook.bogus = 1\n");
  Config config;
  const absl::Status status = ApplyConfigFile(config, file.path());
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, ":1: "));
  EXPECT_TRUE(IsInvalidArgumentMentioning(status, "logbook.bogus"));
}

TEST(ApplyConfigFile, LineWithoutEqualsIsAnError) {
  TempFile file("logbook.server.port 8080\n");
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(ApplyConfigFile(config, file.path()), ":1: expected"));
}

TEST(ApplyConfigFile, MissingFileIsAnErrorNamingIt) {
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(ApplyConfigFile(config, "/nonexistent/logbook.conf"),
                                          "/nonexistent/logbook.conf"));
}

TEST(ApplyConfigFile, DirectoryIsAnError) {
  Config config;
  EXPECT_TRUE(IsInvalidArgumentMentioning(ApplyConfigFile(config, ::testing::TempDir()), "config"));
}

TEST(ParseCommandLine, ServeWithoutFlagsGivesDefaults) {
  const Config config = ParseServeOrDie({"serve"});
  EXPECT_EQ(DescribeSettings(config), DescribeSettings(Config{}));
}

TEST(ParseCommandLine, FlagsSetTheirKeys) {
  const Config config =
      ParseServeOrDie({"serve", "--host", "0.0.0.0", "--port=0", "--data-dir", "/tmp/d",
                       "--node-id", "n1", "--peers", "http://a:1,http://b:2", "--eureka-peers",
                       "http://e:8761/eureka/", "--sync", "none"});
  EXPECT_EQ(config.host, "0.0.0.0");
  EXPECT_EQ(config.port, 0);
  EXPECT_EQ(config.data_dir, "/tmp/d");
  EXPECT_EQ(config.node_id, "n1");
  EXPECT_EQ(config.peers, (std::vector<std::string>{"http://a:1", "http://b:2"}));
  EXPECT_EQ(config.eureka_peers, (std::vector<std::string>{"http://e:8761/eureka/"}));
  EXPECT_FALSE(config.sync_always);
}

TEST(ParseCommandLine, SyncAlwaysIsTheDefaultAndCanBeRestated) {
  EXPECT_TRUE(ParseServeOrDie({"serve", "--sync", "always"}).sync_always);
  EXPECT_FALSE(ParseServeOrDie({"serve", "--set", "logbook.log.sync=none"}).sync_always);
}

TEST(ParseCommandLine, SetIsRepeatableAndSplitsAtTheFirstEquals) {
  const Config config =
      ParseServeOrDie({"serve", "--set", "logbook.http.max-connections=5",
                       "--set=logbook.node-id=a=b", "--set", "eureka.server.disable-delta = true"});
  EXPECT_EQ(config.http_max_connections, 5);
  EXPECT_EQ(config.node_id, "a=b");
  EXPECT_TRUE(config.disable_delta);
}

TEST(ParseCommandLine, FlagsAndSetBeatTheConfigFileWhereverItIsNamed) {
  TempFile file(
      "logbook.server.port = 1111\n"
      "logbook.server.host = 10.0.0.1\n"
      "logbook.http.max-connections = 42\n");
  const Config config = ParseServeOrDie({"serve", "--port", "2222", "--set",
                                         "logbook.server.host=10.0.0.2", "--config", file.path()});
  EXPECT_EQ(config.port, 2222);
  EXPECT_EQ(config.host, "10.0.0.2");
  EXPECT_EQ(config.http_max_connections, 42);  // only in the file
}

TEST(ParseCommandLine, LaterOnTheCommandLineWins) {
  EXPECT_EQ(ParseServeOrDie({"serve", "--port", "1", "--set", "logbook.server.port=2"}).port, 2);
  EXPECT_EQ(ParseServeOrDie({"serve", "--set", "logbook.server.port=2", "--port", "1"}).port, 1);
  EXPECT_EQ(ParseServeOrDie({"serve", "--port", "1", "--port", "3"}).port, 3);
  EXPECT_EQ(ParseServeOrDie({"serve", "--peers", "http://a:1", "--peers", "http://b:2"}).peers,
            (std::vector<std::string>{"http://b:2"}));
}

TEST(ParseCommandLine, BadFlagValueNamesFlagAndKey) {
  const auto result = Parse({"serve", "--port", "80x"});
  EXPECT_TRUE(IsInvalidArgumentMentioning(result.status(), "--port: logbook.server.port"));
}

TEST(ParseCommandLine, NegativePortIsAnError) {
  EXPECT_TRUE(
      IsInvalidArgumentMentioning(Parse({"serve", "--port=-1"}).status(), "logbook.server.port"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      Parse({"serve", "--set", "logbook.server.port=-1"}).status(), "logbook.server.port"));
}

TEST(ParseCommandLine, UnknownSetKeyIsAnErrorNamingIt) {
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "--set", "logbook.nope=1"}).status(),
                                          "logbook.nope"));
}

TEST(ParseCommandLine, SetWithoutEqualsIsAnError) {
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "--set", "logbook.server.port"}).status(),
                                          "KEY=VALUE"));
}

TEST(ParseCommandLine, BadConfigFileIsAnError) {
  TempFile file("logbook.server.port = x\n");
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "--config", file.path()}).status(),
                                          file.path() + ":1: logbook.server.port"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      Parse({"serve", "--config", "/nonexistent/x.conf"}).status(), "/nonexistent/x.conf"));
  EXPECT_TRUE(
      IsInvalidArgumentMentioning(Parse({"serve", "--config", ""}).status(), "config file"));
}

TEST(ParseCommandLine, CliSyntaxErrorsAreInvalidArgument) {
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({}).status(), "no command"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"frobnicate"}).status(), "frobnicate"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "--bogus"}).status(), "--bogus"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "--port"}).status(), "--port"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(Parse({"serve", "extra"}).status(), "extra"));
  EXPECT_TRUE(IsInvalidArgumentMentioning(
      Parse({"serve", "--config", "a", "--config", "b"}).status(), "--config"));
}

TEST(ParseCommandLine, HelpPrintsEveryKeyAndReturnsNothing) {
  for (const Args& args : {Args{"--help"}, Args{"serve", "--help"}, Args{"serve", "-h"}}) {
    std::string out;
    const auto result = Parse(args, &out);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_FALSE(result->has_value());
    for (const auto& [key, value] : DescribeSettings(Config{})) {
      EXPECT_TRUE(HasSubstr(out, "  " + key + (value.empty() ? " =" : " = ") + value + "\n"));
    }
  }
}

TEST(ParseCommandLine, ServeHelpListsTheFlags) {
  std::string out;
  ASSERT_TRUE(Parse({"serve", "--help"}, &out).ok());
  for (const char* flag :
       {"--host", "--port", "--data-dir", "--node-id", "--peers", "--config", "--set", "--sync"}) {
    EXPECT_TRUE(HasSubstr(out, flag));
  }
  // The credentials access control may read from the environment.
  for (const char* variable : {"LOGBOOK_AUTH_CLIENT", "LOGBOOK_AUTH_PEER", "LOGBOOK_AUTH_ADMIN"}) {
    EXPECT_TRUE(HasSubstr(out, variable));
  }
}

TEST(ParseCommandLine, HelpWinsOverOtherErrors) {
  std::string out;
  const auto result = Parse({"serve", "--set", "bogus=1", "--help"}, &out);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_value());
}

}  // namespace
}  // namespace logbook::app
