// `logbook log`: filter parsing, the command line, and each action's output
// on a data dir written through storage::EventLog.
#include "app/log_tool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "app/cli.h"
#include "tests/app/command_line_args.h"
#include "core/status.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/event_log.h"

namespace logbook::app {
namespace {

using core::EventType;

bool HasSubstr(std::string_view text, std::string_view part) {
  return absl::StrContains(absl::string_view(text.data(), text.size()),
                           absl::string_view(part.data(), part.size()));
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  for (const absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.emplace_back(line);
  }
  return lines;
}

// ---- filters ----

TEST(ParseEventTypes, NamesAreCaseInsensitiveAndRepeatsCollapse) {
  absl::StatusOr<std::vector<EventType>> types = ParseEventTypes("register, Cancel,REGISTER");
  ASSERT_TRUE(types.ok()) << types.status();
  EXPECT_EQ(*types, (std::vector<EventType>{EventType::kRegister, EventType::kCancel}));
}

TEST(ParseEventTypes, UnknownOrEmptyNameIsInvalidArgumentListingTheKnownOnes) {
  absl::StatusOr<std::vector<EventType>> unknown = ParseEventTypes("REGISTER,BOGUS");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasSubstr(core::MessageOf(unknown.status()), "'BOGUS'"));
  EXPECT_TRUE(HasSubstr(core::MessageOf(unknown.status()), "RENEWAL_THRESHOLD_UPDATE"));
  EXPECT_EQ(ParseEventTypes("REGISTER,,CANCEL").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseEventTypes("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(StateChangeTypes, AreEveryTypeButRenew) {
  const std::vector<EventType> types = StateChangeTypes();
  EXPECT_EQ(types.size(), 8u);
  EXPECT_EQ(std::find(types.begin(), types.end(), EventType::kRenew), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), EventType::kInstanceSet), types.end());
}

core::Event MakeEvent(core::Offset offset, EventType type, std::string app, std::string id,
                      core::TimestampMs timestamp_ms) {
  core::Event event;
  event.offset = offset;
  event.timestamp_ms = timestamp_ms;
  event.type = type;
  event.app = std::move(app);
  event.instance_id = std::move(id);
  event.origin_node = "node-a";
  event.origin_offset = offset;
  if (type == EventType::kRegister) {
    core::InstanceInfo info;
    info.instance_id = event.instance_id;
    info.host_name = "host-" + event.instance_id;
    info.app = event.app;
    info.ip_addr = "10.0.0.1";
    info.status = core::InstanceStatus::kUp;
    event.instance = std::move(info);
  }
  if (type == EventType::kStatusUpdate) event.status = core::InstanceStatus::kOutOfService;
  return event;
}

TEST(EventFilter, EverySetFieldMustMatch) {
  const core::Event event = MakeEvent(5, EventType::kCancel, "ORDERS", "o1", 1000);
  EXPECT_TRUE((EventFilter{}.Matches(event)));
  EXPECT_TRUE((EventFilter{.app = "ORDERS", .instance_id = "o1"}.Matches(event)));
  EXPECT_FALSE((EventFilter{.app = "CARTS"}.Matches(event)));
  EXPECT_FALSE((EventFilter{.instance_id = "o2"}.Matches(event)));
  EXPECT_TRUE((EventFilter{.types = {EventType::kRegister, EventType::kCancel}}.Matches(event)));
  EXPECT_FALSE((EventFilter{.types = {EventType::kRenew}}.Matches(event)));
  // The time range and the offset range are inclusive at both ends.
  EXPECT_TRUE((EventFilter{.since_ms = 1000, .until_ms = 1000}.Matches(event)));
  EXPECT_FALSE((EventFilter{.since_ms = 1001}.Matches(event)));
  EXPECT_FALSE((EventFilter{.until_ms = 999}.Matches(event)));
  EXPECT_TRUE((EventFilter{.from = 5, .to = 5}.Matches(event)));
  EXPECT_FALSE((EventFilter{.from = 6}.Matches(event)));
  EXPECT_FALSE((EventFilter{.to = 4}.Matches(event)));
}

TEST(EventJsonLine, IsTheEventsEndpointObjectOnOneLine) {
  const std::string line = EventJsonLine(MakeEvent(7, EventType::kCancel, "ORDERS", "o1", 1234));
  EXPECT_EQ(line,
            R"({"offset":7,"timestamp":1234,"type":"CANCEL","app":"ORDERS","instance_id":"o1",)"
            R"("origin":"node-a","origin_offset":7,"source":"client"})");
}

// ---- command line ----

using test_support::Args;
using test_support::Parse;

LogCommand ParseLogOrDie(Args args) {
  auto result = Parse(std::move(args));
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok() || !result->has_value()) return LogCommand{};
  const auto* log = std::get_if<LogCommand>(&**result);
  EXPECT_NE(log, nullptr) << "not a log command";
  return log == nullptr ? LogCommand{} : *log;
}

TEST(ParseLogCommand, DumpTakesEveryFilter) {
  const LogCommand command = ParseLogOrDie(
      {"log", "dump", "/d", "--app", "orders", "--instance", "o1", "--type", "register,cancel",
       "--since", "100", "--until", "200", "--from", "3", "--to", "9", "--limit", "4"});
  EXPECT_EQ(command.action, LogAction::kDump);
  EXPECT_EQ(command.data_dir, "/d");
  EXPECT_EQ(command.filter.app, std::optional<std::string>("ORDERS"));
  EXPECT_EQ(command.filter.instance_id, std::optional<std::string>("o1"));
  EXPECT_EQ(command.filter.types,
            (std::vector<EventType>{EventType::kRegister, EventType::kCancel}));
  EXPECT_EQ(command.filter.since_ms, std::optional<core::TimestampMs>(100));
  EXPECT_EQ(command.filter.until_ms, std::optional<core::TimestampMs>(200));
  EXPECT_EQ(command.filter.from, 3u);
  EXPECT_EQ(command.filter.to, 9u);
  EXPECT_EQ(command.limit, std::optional<std::size_t>(4));
}

TEST(ParseLogCommand, DumpWithoutFiltersMatchesEverything) {
  const LogCommand command = ParseLogOrDie({"log", "dump", "/d"});
  EXPECT_FALSE(command.filter.app.has_value());
  EXPECT_TRUE(command.filter.types.empty());
  EXPECT_EQ(command.filter.from, 1u);
  EXPECT_FALSE(command.limit.has_value());
}

TEST(ParseLogCommand, TailTakesN) {
  const LogCommand command = ParseLogOrDie({"log", "tail", "/d", "-n", "3", "--app", "x"});
  EXPECT_EQ(command.action, LogAction::kTail);
  EXPECT_EQ(command.limit, std::optional<std::size_t>(3));
  EXPECT_EQ(command.filter.app, std::optional<std::string>("X"));
}

TEST(ParseLogCommand, HistoryDefaultsToStateChanges) {
  const LogCommand app_only = ParseLogOrDie({"log", "history", "/d", "orders"});
  EXPECT_EQ(app_only.action, LogAction::kHistory);
  EXPECT_EQ(app_only.filter.app, std::optional<std::string>("ORDERS"));
  EXPECT_FALSE(app_only.filter.instance_id.has_value());
  EXPECT_EQ(app_only.filter.types, StateChangeTypes());
  const LogCommand one = ParseLogOrDie({"log", "history", "/d", "orders", "o1", "--type", "renew"});
  EXPECT_EQ(one.filter.instance_id, std::optional<std::string>("o1"));
  EXPECT_EQ(one.filter.types, (std::vector<EventType>{EventType::kRenew}));
}

TEST(ParseLogCommand, StatAndVerifyTakeOnlyTheDir) {
  EXPECT_EQ(ParseLogOrDie({"log", "stat", "/d"}).action, LogAction::kStat);
  EXPECT_EQ(ParseLogOrDie({"log", "verify", "/d"}).action, LogAction::kVerify);
  EXPECT_FALSE(Parse({"log", "stat", "/d", "--app", "x"}).ok());
}

TEST(ParseLogCommand, UsageErrorsAreInvalidArgumentNamingTheProblem) {
  const std::vector<std::pair<Args, std::string>> cases = {
      {Args{"log"}, "subcommand"},
      {Args{"log", "dump"}, "DIR"},
      {Args{"log", "bogus", "/d"}, "subcommand"},
      {Args{"log", "dump", "/d", "--type", "NOPE"}, "NOPE"},
      {Args{"log", "dump", "/d", "--since", "soon"}, "--since"},
      {Args{"log", "dump", "/d", "--since", "5", "--until", "4"}, "--since 5 is after --until 4"},
      {Args{"log", "dump", "/d", "--from", "0"}, "--from"},
      {Args{"log", "dump", "/d", "--from", "9", "--to", "3"}, "--from 9 is after --to 3"},
      {Args{"log", "history", "/d"}, "APP"},
      {Args{"log", "dump", "/d", "--app", ""}, "application"},
  };
  for (const auto& [args, mention] : cases) {
    const auto result = Parse(args);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << mention;
    EXPECT_TRUE(HasSubstr(core::MessageOf(result.status()), mention))
        << "expected '" << mention << "' in: " << result.status();
  }
}

TEST(ParseLogCommand, HelpListsTheActionsAndReturnsNothing) {
  std::string out;
  const auto result = Parse({"log", "--help"}, &out);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->has_value());
  for (const char* action : {"stat", "dump", "tail", "history", "verify"}) {
    EXPECT_TRUE(HasSubstr(out, action)) << action;
  }
  ASSERT_TRUE(Parse({"log", "dump", "--help"}, &out).ok());
  for (const char* flag :
       {"--app", "--instance", "--type", "--since", "--until", "--from", "--to", "--limit"}) {
    EXPECT_TRUE(HasSubstr(out, flag)) << flag;
  }
}

// ---- running on a real data dir ----

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/logbook-log-tool-test-XXXXXX";
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The scenario the output tests read: offsets 1..8.
std::vector<core::Event> Scenario() {
  return {
      MakeEvent(0, EventType::kRegister, "ORDERS", "o1", 1000),
      MakeEvent(0, EventType::kRegister, "ORDERS", "o2", 1001),
      MakeEvent(0, EventType::kRegister, "CARTS", "c1", 1002),
      MakeEvent(0, EventType::kRenew, "ORDERS", "o1", 2000),
      MakeEvent(0, EventType::kStatusUpdate, "ORDERS", "o1", 2001),
      MakeEvent(0, EventType::kRenew, "CARTS", "c1", 2002),
      MakeEvent(0, EventType::kCancel, "ORDERS", "o2", 3000),
      MakeEvent(0, EventType::kRenew, "ORDERS", "o1", 3001),
  };
}

void WriteScenario(const std::string& dir) {
  absl::Mutex mu;
  core::Offset durable = 0;
  storage::EventLogOptions options;
  options.data_dir = dir;
  options.node_id = "node-a";
  absl::StatusOr<std::unique_ptr<storage::EventLog>> log =
      storage::EventLog::Open(options, [&](core::Offset offset, absl::Status) {
        absl::MutexLock lock(&mu);
        durable = offset;
      });
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Start();
  std::vector<core::Event> events = Scenario();
  for (core::Event& event : events) {
    event.origin_node.clear();
    event.origin_offset = 0;
  }
  ASSERT_TRUE((*log)->Append(events).ok());
  absl::MutexLock lock(&mu);
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                      +[](core::Offset* d) { return *d >= 8; }, &durable),
                                  absl::Seconds(30)));
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

RunResult RunTool(const LogCommand& command) {
  std::ostringstream out;
  std::ostringstream err;
  RunResult result;
  result.exit_code = RunLogCommand(command, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

class LogToolRun : public ::testing::Test {
 protected:
  void SetUp() override { WriteScenario(dir_.path()); }
  LogCommand Command(LogAction action) {
    LogCommand command;
    command.action = action;
    command.data_dir = dir_.path();
    return command;
  }
  TempDir dir_;
};

TEST_F(LogToolRun, DumpPrintsEveryEventOldestFirst) {
  const RunResult result = RunTool(Command(LogAction::kDump));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines = Lines(result.out);
  ASSERT_EQ(lines.size(), 8u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(absl::StartsWith(lines[i], "{\"offset\":" + std::to_string(i + 1) + ","))
        << lines[i];
  }
  EXPECT_TRUE(HasSubstr(lines[0], R"("origin":"node-a","origin_offset":1)"));
}

TEST_F(LogToolRun, DumpAppliesFiltersAndLimit) {
  LogCommand command = Command(LogAction::kDump);
  command.filter.app = "ORDERS";
  command.filter.types = {EventType::kRenew, EventType::kCancel};
  std::vector<std::string> lines = Lines(RunTool(command).out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(lines[0], R"({"offset":4,)"));
  EXPECT_TRUE(absl::StartsWith(lines[1], R"({"offset":7,)"));
  EXPECT_TRUE(absl::StartsWith(lines[2], R"({"offset":8,)"));

  command.limit = 2;
  EXPECT_EQ(Lines(RunTool(command).out).size(), 2u);

  LogCommand time = Command(LogAction::kDump);
  time.filter.since_ms = 2000;
  time.filter.until_ms = 3000;
  time.filter.from = 5;
  lines = Lines(RunTool(time).out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(lines[0], R"({"offset":5,)"));
  EXPECT_TRUE(absl::StartsWith(lines[2], R"({"offset":7,)"));
}

TEST_F(LogToolRun, TailPrintsTheLastMatchingOldestFirst) {
  LogCommand command = Command(LogAction::kTail);
  command.limit = 2;
  command.filter.app = "CARTS";
  const std::vector<std::string> lines = Lines(RunTool(command).out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(lines[0], R"({"offset":3,)"));
  EXPECT_TRUE(absl::StartsWith(lines[1], R"({"offset":6,)"));
  EXPECT_EQ(Lines(RunTool(Command(LogAction::kTail)).out).size(), 8u);  // default 10 > 8
}

TEST_F(LogToolRun, HistoryShowsStateChangesOfOneInstance) {
  LogCommand command = Command(LogAction::kHistory);
  command.filter.app = "ORDERS";
  command.filter.instance_id = "o1";
  command.filter.types = StateChangeTypes();
  const std::vector<std::string> lines = Lines(RunTool(command).out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(HasSubstr(lines[0], R"("offset":1,)"));
  EXPECT_TRUE(HasSubstr(lines[0], R"("type":"REGISTER")"));
  EXPECT_TRUE(HasSubstr(lines[1], R"("type":"STATUS_UPDATE")"));
  EXPECT_TRUE(HasSubstr(lines[1], R"("status":"OUT_OF_SERVICE")"));
}

TEST_F(LogToolRun, StatCountsByTypeAndNamesTheDir) {
  const RunResult result = RunTool(Command(LogAction::kStat));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(Lines(result.out).size(), 1u);
  for (const std::string& part :
       {std::string(R"("open_mode":"read-only")"), std::string(R"("format_version":"1")"),
        std::string(R"("node_id":"node-a")"), std::string(R"("first_offset":1,"last_offset":8)"),
        std::string(R"("events":8,)"),
        std::string(R"("events_by_type":{"REGISTER":3,"RENEW":3,"CANCEL":1,"EVICT":0,)"
                    R"("STATUS_UPDATE":1,)"),
        std::string(R"("damaged_records":0,"missing_offsets":0,)"),
        std::string(R"("first_timestamp":1000,"last_timestamp":3001)"),
        std::string(R"("snapshots":[])"), std::string(R"("disk_bytes":)"),
        std::string(R"("log_identity":")")}) {
    EXPECT_TRUE(HasSubstr(result.out, part)) << part << " in " << result.out;
  }
}

TEST_F(LogToolRun, VerifyPassesOnAGoodDir) {
  const RunResult result = RunTool(Command(LogAction::kVerify));
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(HasSubstr(result.out, "offsets 1..8, 8 events decoded")) << result.out;
  EXPECT_TRUE(HasSubstr(result.out, "2 applications, 2 instances; 0 problems")) << result.out;
  EXPECT_TRUE(HasSubstr(result.out, "OK\n"));
}

void FlipAByteOf(const std::string& dir, core::Offset offset) {
  absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(dir);
  ASSERT_TRUE(db.ok()) << db.status();
  std::string value;
  const std::string key = storage::EventKey(offset);
  ASSERT_TRUE((*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->events(), key, &value).ok());
  value[value.size() / 2] ^= 0x20;
  ASSERT_TRUE((*db)->raw()->Put(rocksdb::WriteOptions(), (*db)->events(), key, value).ok());
}

TEST_F(LogToolRun, VerifyNamesTheOffsetOfAFlippedByte) {
  FlipAByteOf(dir_.path(), 5);
  const RunResult result = RunTool(Command(LogAction::kVerify));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(HasSubstr(result.out, "problem: offset 5:")) << result.out;
  EXPECT_TRUE(HasSubstr(result.out, "1 problem\nFAILED\n")) << result.out;

  // The other actions report the damage on the error stream and exit 1 too.
  const RunResult dump = RunTool(Command(LogAction::kDump));
  EXPECT_EQ(dump.exit_code, 1);
  EXPECT_EQ(Lines(dump.out).size(), 7u);
  EXPECT_TRUE(HasSubstr(dump.err, "offset 5:")) << dump.err;
  const RunResult stat = RunTool(Command(LogAction::kStat));
  EXPECT_EQ(stat.exit_code, 1);
  EXPECT_TRUE(HasSubstr(stat.out, R"("damaged_records":1,)")) << stat.out;
}

TEST_F(LogToolRun, VerifyNamesAMissingOffset) {
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(dir_.path());
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(
        (*db)->raw()->Delete(rocksdb::WriteOptions(), (*db)->events(), storage::EventKey(4)).ok());
  }
  const RunResult result = RunTool(Command(LogAction::kVerify));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(HasSubstr(result.out, "problem: offset 4: missing offsets 4..4")) << result.out;
}

TEST(LogToolRunOn, AMissingDirFailsWithAClearMessage) {
  LogCommand command;
  command.action = LogAction::kStat;
  command.data_dir = "/nonexistent/logbook-data";
  const RunResult result = RunTool(command);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(HasSubstr(result.err, "/nonexistent/logbook-data does not exist")) << result.err;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/logbook-data"));
}

}  // namespace
}  // namespace logbook::app
