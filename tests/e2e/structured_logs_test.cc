// The node's logs (README "Logs"): logfmt lines with ts, level and msg; the
// access log only when asked for; at debug level the reason for every
// eviction and every rejected request.
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

using Fields = std::map<std::string, std::string>;

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// A strict logfmt reader: key=value pairs separated by one space; keys
// [a-z0-9_]+; a value is bare (no space, '=', '"' or '\') or double-quoted
// with \" \\ \n \r \t \uXXXX escapes. nullopt for anything else, including a
// repeated key.
std::optional<Fields> ParseLogfmt(std::string_view line) {
  Fields fields;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t key_start = i;
    while (i < line.size() && IsKeyChar(line[i])) ++i;
    if (i == key_start || i >= line.size() || line[i] != '=') return std::nullopt;
    const std::string key(line.substr(key_start, i - key_start));
    ++i;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (static_cast<unsigned char>(c) < 0x20) return std::nullopt;
        if (c != '\\') {
          value.push_back(c);
          continue;
        }
        if (i >= line.size()) return std::nullopt;
        const char escaped = line[i++];
        switch (escaped) {
          case '"':
          case '\\':
            value.push_back(escaped);
            break;
          case 'n':
            value.push_back('\n');
            break;
          case 'r':
            value.push_back('\r');
            break;
          case 't':
            value.push_back('\t');
            break;
          case 'u': {
            if (i + 4 > line.size()) return std::nullopt;
            value.push_back(static_cast<char>(std::stoi(std::string(line.substr(i, 4)), nullptr, 16)));
            i += 4;
            break;
          }
          default:
            return std::nullopt;
        }
      }
      if (!closed) return std::nullopt;
    } else {
      const std::size_t value_start = i;
      while (i < line.size() && line[i] != ' ') {
        if (line[i] == '=' || line[i] == '"' || line[i] == '\\') return std::nullopt;
        ++i;
      }
      if (i == value_start) return std::nullopt;
      value = std::string(line.substr(value_start, i - value_start));
    }
    if (!fields.emplace(key, std::move(value)).second) return std::nullopt;
    if (i < line.size()) {
      if (line[i] != ' ' || i + 1 == line.size()) return std::nullopt;
      ++i;
    }
  }
  return fields;
}

std::vector<std::string> Lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Every line the node wrote, parsed; a line that is not logfmt with ts,
// level and msg fails the test.
std::vector<Fields> ParsedLines(const std::string& output) {
  std::vector<Fields> parsed;
  for (const std::string& line : Lines(output)) {
    std::optional<Fields> fields = ParseLogfmt(line);
    EXPECT_TRUE(fields.has_value()) << "not logfmt: " << line;
    if (!fields) continue;
    EXPECT_EQ(fields->count("ts"), 1u) << line;
    EXPECT_EQ(fields->count("level"), 1u) << line;
    EXPECT_EQ(fields->count("msg"), 1u) << line;
    const std::string& level = (*fields)["level"];
    EXPECT_TRUE(level == "debug" || level == "info" || level == "warn" || level == "error") << line;
    // 2026-12-02T02:40:00.123Z
    EXPECT_EQ((*fields)["ts"].size(), 24u) << line;
    parsed.push_back(std::move(*fields));
  }
  return parsed;
}

std::vector<Fields> WithMsg(const std::vector<Fields>& lines, std::string_view msg) {
  std::vector<Fields> found;
  for (const Fields& fields : lines) {
    if (fields.at("msg") == msg) found.push_back(fields);
  }
  return found;
}

TEST(Logfmt, ReaderRejectsWhatIsNotLogfmt) {
  EXPECT_TRUE(ParseLogfmt("a=1 b=\"x y\" c=\"q\\\"\"").has_value());
  EXPECT_FALSE(ParseLogfmt("a=1  b=2").has_value());
  EXPECT_FALSE(ParseLogfmt("a=\"open").has_value());
  EXPECT_FALSE(ParseLogfmt("level=info oops").has_value());
  EXPECT_FALSE(ParseLogfmt("a=1 a=2").has_value());
  EXPECT_FALSE(ParseLogfmt("a=x=y").has_value());
}

// The node's stdout and stderr so far.
class LogsTest : public NodeTest {
 protected:
  std::string node_output() const { return node_->Output(); }
};

class DefaultLogs : public LogsTest {};

TEST_F(DefaultLogs, NoAccessLogNoDebugAndEveryLineIsLogfmt) {
  ASSERT_EQ(http().Get("/eureka/apps", kAcceptJson).status, 200);
  ASSERT_EQ(http().Get("/no/such/path").status, 404);
  StopNode();
  const std::vector<Fields> lines = ParsedLines(node_output());
  EXPECT_TRUE(WithMsg(lines, "request").empty()) << node_output();
  for (const Fields& fields : lines) EXPECT_NE(fields.at("level"), "debug") << node_output();
  // The startup line is logfmt too, with the recovery figures scripts read.
  bool listening = false;
  for (const Fields& fields : lines) {
    if (fields.at("msg").starts_with("logbook listening on http://127.0.0.1:")) {
      listening = true;
      EXPECT_EQ(fields.count("recovery_ms"), 1u);
      EXPECT_EQ(fields.count("recovered_events"), 1u);
      // CPU by phase (bench/restart_scale.sh): whole milliseconds, never negative.
      for (const char* key : {"start_cpu_ms", "open_cpu_ms", "recovery_cpu_ms"}) {
        ASSERT_EQ(fields.count(key), 1u) << key << "\n" << node_output();
        EXPECT_TRUE(!fields.at(key).empty() &&
                    fields.at(key).find_first_not_of("0123456789") == std::string::npos)
            << key << "=" << fields.at(key);
      }
    }
  }
  EXPECT_TRUE(listening) << node_output();
  EXPECT_EQ(WithMsg(lines, "stopped").size(), 1u) << node_output();
}

class AccessLog : public LogsTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.access-log=true"};
  }
};

TEST_F(AccessLog, OneLinePerRequestWithMethodPathStatusBytesDurationRemote) {
  const HttpResult apps = http().Get("/eureka/apps", kAcceptJson);
  ASSERT_EQ(apps.status, 200);
  ASSERT_EQ(http().Request("DELETE", "/eureka/apps/NOPE/x").status, 404);
  StopNode();
  const std::vector<Fields> lines = WithMsg(ParsedLines(node_output()), "request");
  ASSERT_EQ(lines.size(), 2u) << node_output();
  EXPECT_EQ(lines[0].at("level"), "info");
  EXPECT_EQ(lines[0].at("method"), "GET");
  EXPECT_EQ(lines[0].at("path"), "/eureka/apps");
  EXPECT_EQ(lines[0].at("status"), "200");
  EXPECT_EQ(lines[0].at("bytes"), std::to_string(apps.body.size()));
  EXPECT_EQ(lines[0].at("endpoint"), "apps");
  EXPECT_GE(std::stoll(lines[0].at("duration_us")), 0);
  EXPECT_TRUE(lines[0].at("remote").starts_with("127.0.0.1:")) << lines[0].at("remote");
  EXPECT_EQ(lines[1].at("method"), "DELETE");
  EXPECT_EQ(lines[1].at("status"), "404");
  EXPECT_EQ(lines[1].at("endpoint"), "instance");
  // Not at debug level: no rejection lines.
  EXPECT_TRUE(WithMsg(ParsedLines(node_output()), "request rejected").empty());
}

// Debug level on a short clock: self-preservation off, 200 ms eviction timer.
class DebugLogs : public LogsTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--log-level", "debug",
            "--set", "eureka.server.enable-self-preservation=false",
            "--set", "eureka.server.eviction-interval-timer-in-ms=200"};
  }
};

TEST_F(DebugLogs, RejectedRequestsAndEvictionsSayWhy) {
  Registration registration = R("ORDERS", "e1", "he", "10.0.0.4");
  registration.duration_secs = 1;
  ASSERT_EQ(http().Request("POST", "/eureka/apps/ORDERS", kJsonBody, registration.Json()).status,
            204);
  // Rejected by a handler: renewing an unknown instance.
  ASSERT_EQ(http().Request("PUT", "/eureka/apps/ORDERS/ghost").status, 404);
  // Rejected by the server itself: not HTTP.
  HttpClient raw(port());
  ASSERT_TRUE(raw.SendRaw("BLAH\r\n\r\n"));
  EXPECT_EQ(raw.ReadResponse().status, 400);

  const bool evicted = Await(
      [&] { return node_output().find("msg=\"instance evicted\"") != std::string::npos; },
      std::chrono::seconds(15));
  ASSERT_TRUE(evicted) << node_output();
  StopNode();
  const std::vector<Fields> lines = ParsedLines(node_output());

  const std::vector<Fields> evictions = WithMsg(lines, "instance evicted");
  ASSERT_EQ(evictions.size(), 1u) << node_output();
  EXPECT_EQ(evictions[0].at("level"), "debug");
  EXPECT_EQ(evictions[0].at("app"), "ORDERS");
  EXPECT_EQ(evictions[0].at("instance"), "e1");
  EXPECT_EQ(evictions[0].at("reason"), "lease_expired");
  EXPECT_GT(std::stoll(evictions[0].at("lease_expired_at_ms")), 0);

  const std::vector<Fields> rejected = WithMsg(lines, "request rejected");
  ASSERT_EQ(rejected.size(), 2u) << node_output();
  EXPECT_EQ(rejected[0].at("status"), "404");
  EXPECT_EQ(rejected[0].at("method"), "PUT");
  EXPECT_EQ(rejected[0].at("path"), "/eureka/apps/ORDERS/ghost");
  EXPECT_NE(rejected[0].at("reason"), "") << node_output();
  EXPECT_EQ(rejected[1].at("status"), "400");
  EXPECT_EQ(rejected[1].at("endpoint"), "connection");
  EXPECT_NE(rejected[1].at("reason"), "") << node_output();
  // No access log unless asked for, even at debug.
  EXPECT_TRUE(WithMsg(lines, "request").empty());
}

}  // namespace
}  // namespace logbook::e2e
