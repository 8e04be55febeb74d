// `logbook log` with the real binary on the data dir of a real node: while
// the node serves from it (the dir is locked) and after it stopped, and on
// damaged copies made with a raw RocksDB handle.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "storage/snapshot_codec.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

struct LogRun {
  int exit_code = -1;
  std::string output;  // stdout + stderr
  // The output's JSON lines (those starting with '{').
  std::vector<std::string> JsonLines() const {
    std::vector<std::string> lines;
    for (const absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
      if (absl::StartsWith(line, "{")) lines.emplace_back(line);
    }
    return lines;
  }
};

LogRun RunLog(std::vector<std::string> args) {
  args.insert(args.begin(), "log");
  LogRun run;
  run.exit_code = logbook::testing::RunLogbook(args, &run.output);
  return run;
}

bool Has(const std::string& text, std::string_view part) {
  return absl::StrContains(text, absl::string_view(part.data(), part.size()));
}

class LogToolTest : public NodeTest {
 protected:
  HttpResult Send(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return http().Request(method, "/eureka/v2" + target, body.empty() ? Headers{} : kJsonBody,
                          body);
  }

  // The scripted scenario: every kind of client write, across two apps.
  void WriteScenario() {
    ASSERT_EQ(Send("POST", "/apps/ORDERS", R("ORDERS", "o1", "h1", "10.0.0.1").Json()).status, 204);
    ASSERT_EQ(Send("POST", "/apps/ORDERS", R("ORDERS", "o2", "h2", "10.0.0.2").Json()).status, 204);
    ASSERT_EQ(Send("POST", "/apps/CARTS", R("CARTS", "c1", "h3", "10.0.0.3").Json()).status, 204);
    ASSERT_EQ(Send("PUT", "/apps/ORDERS/o1").status, 200);
    ASSERT_EQ(Send("PUT", "/apps/CARTS/c1").status, 200);
    ASSERT_EQ(Send("PUT", "/apps/ORDERS/o1/status?value=OUT_OF_SERVICE").status, 200);
    ASSERT_EQ(Send("PUT", "/apps/ORDERS/o1/metadata?zone=z2").status, 200);
    ASSERT_EQ(Send("DELETE", "/apps/ORDERS/o1/status?value=UP").status, 200);
    ASSERT_EQ(Send("PUT", "/apps/ORDERS/o1").status, 200);
    ASSERT_EQ(Send("DELETE", "/apps/ORDERS/o2").status, 200);
    last_offset_ = LastOffset();
    ASSERT_GE(last_offset_, 10);
  }

  // Checks every action's output on the scenario's dir; `mode` is the
  // expected open mode ("secondary" while the node holds the dir).
  void CheckActions(const std::string& mode) {
    const std::string dir = data_dir();
    const LogRun stat = RunLog({"stat", dir});
    EXPECT_EQ(stat.exit_code, 0) << stat.output;
    ASSERT_EQ(stat.JsonLines().size(), 1u) << stat.output;
    const Json doc(stat.JsonLines()[0]);
    ASSERT_TRUE(doc.ok()) << stat.output;
    EXPECT_EQ(doc.StringAt("/open_mode"), mode);
    EXPECT_EQ(doc.StringAt("/format_version"), "1");
    EXPECT_EQ(doc.IntAt("/first_offset"), 1);
    EXPECT_EQ(doc.IntAt("/last_offset"), last_offset_);
    EXPECT_EQ(doc.IntAt("/events"), last_offset_);
    EXPECT_EQ(doc.IntAt("/events_by_type/REGISTER"), 3);
    EXPECT_EQ(doc.IntAt("/events_by_type/RENEW"), 3);
    EXPECT_EQ(doc.IntAt("/events_by_type/CANCEL"), 1);
    EXPECT_EQ(doc.IntAt("/events_by_type/STATUS_UPDATE"), 1);
    EXPECT_EQ(doc.IntAt("/events_by_type/DELETE_STATUS_OVERRIDE"), 1);
    EXPECT_EQ(doc.IntAt("/events_by_type/METADATA_UPDATE"), 1);
    EXPECT_EQ(doc.IntAt("/damaged_records"), 0);
    EXPECT_GT(doc.IntAt("/disk_bytes").value_or(0), 0);
    EXPECT_EQ(doc.StringAt("/log_identity").value_or("").size(), 32u);
    EXPECT_TRUE(doc.StringAt("/node_id").has_value());

    // dump: every event, oldest first, as /logbook/v1/events shows them.
    const LogRun dump = RunLog({"dump", dir});
    EXPECT_EQ(dump.exit_code, 0) << dump.output;
    const std::vector<std::string> all = dump.JsonLines();
    ASSERT_EQ(static_cast<std::int64_t>(all.size()), last_offset_) << dump.output;
    const HttpResult events = Events(1, "limit=1000");
    ASSERT_EQ(events.status, 200);
    const Json served(events.body);
    for (std::size_t i = 0; i < all.size(); ++i) {
      const Json line(all[i]);
      const std::string at = "/events/" + std::to_string(i);
      EXPECT_EQ(line.IntAt("/offset"), static_cast<std::int64_t>(i + 1));
      EXPECT_EQ(line.StringAt("/type"), served.StringAt(at + "/type"));
      EXPECT_EQ(line.IntAt("/timestamp"), served.IntAt(at + "/timestamp"));
      EXPECT_EQ(line.StringAt("/instance_id"), served.StringAt(at + "/instance_id"));
    }

    const LogRun filtered =
        RunLog({"dump", dir, "--app", "orders", "--type", "renew,cancel", "--limit", "2"});
    EXPECT_EQ(filtered.exit_code, 0) << filtered.output;
    ASSERT_EQ(filtered.JsonLines().size(), 2u) << filtered.output;
    for (const std::string& line : filtered.JsonLines()) {
      EXPECT_TRUE(Has(line, R"("app":"ORDERS")")) << line;
      EXPECT_TRUE(Has(line, R"("type":"RENEW")")) << line;
    }

    const LogRun range = RunLog({"dump", dir, "--from", "2", "--to", "3"});
    ASSERT_EQ(range.JsonLines().size(), 2u) << range.output;
    EXPECT_EQ(Json(range.JsonLines()[0]).IntAt("/offset"), 2);

    // tail: the last N, oldest first.
    const LogRun tail = RunLog({"tail", dir, "-n", "2"});
    EXPECT_EQ(tail.exit_code, 0) << tail.output;
    ASSERT_EQ(tail.JsonLines().size(), 2u) << tail.output;
    EXPECT_EQ(Json(tail.JsonLines()[0]).IntAt("/offset"), last_offset_ - 1);
    EXPECT_EQ(Json(tail.JsonLines()[1]).StringAt("/type"), "CANCEL");

    // history: state changes of ORDERS/o1 in order, no RENEW.
    const LogRun history = RunLog({"history", dir, "ORDERS", "o1"});
    EXPECT_EQ(history.exit_code, 0) << history.output;
    std::vector<std::string> types;
    for (const std::string& line : history.JsonLines()) {
      types.push_back(Json(line).StringAt("/type").value_or("?"));
    }
    EXPECT_EQ(types, (std::vector<std::string>{"REGISTER", "STATUS_UPDATE", "METADATA_UPDATE",
                                               "DELETE_STATUS_OVERRIDE"}))
        << history.output;
    const LogRun app_history = RunLog({"history", dir, "orders"});
    EXPECT_EQ(app_history.JsonLines().size(), 6u) << app_history.output;
    ExpectHistoryLikeTheEndpoint(dir, "ORDERS", "o1");
    ExpectHistoryLikeTheEndpoint(dir, "ORDERS", "");
    ExpectHistoryLikeTheEndpoint(dir, "CARTS", "c1");

    const LogRun verify = RunLog({"verify", dir});
    EXPECT_EQ(verify.exit_code, 0) << verify.output;
    EXPECT_TRUE(Has(verify.output, "offsets 1.." + std::to_string(last_offset_))) << verify.output;
    EXPECT_TRUE(Has(verify.output, "2 applications, 2 instances; 0 problems")) << verify.output;
  }

  // `logbook log history APP [ID]` prints exactly the entries GET
  // /logbook/v1/history serves for the same query, in the same order, as the
  // same JSON objects (the node must be running).
  void ExpectHistoryLikeTheEndpoint(const std::string& dir, const std::string& app,
                                    const std::string& id) {
    std::vector<std::string> args = {"history", dir, app};
    std::string target = "/logbook/v1/history?app=" + app + "&limit=1000";
    if (!id.empty()) {
      args.push_back(id);
      target += "&instance=" + id;
    }
    const LogRun tool = RunLog(args);
    EXPECT_EQ(tool.exit_code, 0) << tool.output;
    const HttpResult served = http().Get(target);
    ASSERT_EQ(served.status, 200) << served.body;
    const std::string expected = "{\"events\":[" + absl::StrJoin(tool.JsonLines(), ",") + "]";
    EXPECT_TRUE(absl::StartsWith(served.body, expected))
        << "logbook log history " << app << " " << id << ":\n" << tool.output
        << "\nGET " << target << ":\n" << served.body;
  }

  // A stopped copy of the node's dir, to damage.
  std::string CopyDir() {
    const std::string copy = dir_.path() + "/copy";
    std::filesystem::copy(data_dir(), copy, std::filesystem::copy_options::recursive);
    return copy;
  }

  std::int64_t last_offset_ = 0;
};

TEST_F(LogToolTest, ReadsTheDirWhileTheNodeServesFromIt) {
  WriteScenario();
  if (HasFatalFailure()) return;
  CheckActions("secondary");
  // The node is unaffected and still writes.
  EXPECT_EQ(http().Get("/readyz").status, 200);
  EXPECT_EQ(Send("PUT", "/apps/CARTS/c1").status, 200);
}

TEST_F(LogToolTest, ReadsTheDirAfterTheNodeStopped) {
  WriteScenario();
  if (HasFatalFailure()) return;
  StopNode();
  const LogRun stat = RunLog({"stat", data_dir()});
  EXPECT_EQ(stat.exit_code, 0) << stat.output;
  EXPECT_TRUE(Has(stat.output, R"("open_mode":"read-only")")) << stat.output;
  const LogRun verify = RunLog({"verify", data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  const LogRun history = RunLog({"history", data_dir(), "ORDERS", "o1"});
  EXPECT_EQ(history.JsonLines().size(), 4u) << history.output;
  // Reading changed nothing: the node starts on the dir again and serves it.
  StartNode();
  EXPECT_EQ(LastOffset(), last_offset_);
}

TEST_F(LogToolTest, VerifyFailsOnAFlippedByteNamingItsOffset) {
  WriteScenario();
  if (HasFatalFailure()) return;
  StopNode();
  const std::string copy = CopyDir();
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    std::string value;
    const std::string key = storage::EventKey(4);
    ASSERT_TRUE((*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->events(), key, &value).ok());
    value[value.size() - 6] ^= 0x01;
    ASSERT_TRUE((*db)->raw()->Put(rocksdb::WriteOptions(), (*db)->events(), key, value).ok());
  }
  const LogRun verify = RunLog({"verify", copy});
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_TRUE(Has(verify.output, "problem: offset 4:")) << verify.output;
  EXPECT_TRUE(Has(verify.output, "FAILED")) << verify.output;
  const LogRun dump = RunLog({"dump", copy});
  EXPECT_EQ(dump.exit_code, 1) << dump.output;
  EXPECT_TRUE(Has(dump.output, "offset 4:")) << dump.output;
  // The original is untouched.
  EXPECT_EQ(RunLog({"verify", data_dir()}).exit_code, 0);
}

TEST_F(LogToolTest, VerifyFailsOnAMissingOffset) {
  WriteScenario();
  if (HasFatalFailure()) return;
  StopNode();
  const std::string copy = CopyDir();
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(
        (*db)->raw()->Delete(rocksdb::WriteOptions(), (*db)->events(), storage::EventKey(6)).ok());
  }
  const LogRun verify = RunLog({"verify", copy});
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_TRUE(Has(verify.output, "problem: offset 6: missing offsets 6..6")) << verify.output;
}

// History comes from the audit index: with every event gone from `events`
// (dump finds nothing), history still answers the same.
TEST_F(LogToolTest, HistoryAnswersFromTheAuditIndexNotTheEvents) {
  WriteScenario();
  if (HasFatalFailure()) return;
  const LogRun before = RunLog({"history", data_dir(), "ORDERS", "o1"});
  StopNode();
  const std::string copy = CopyDir();
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->raw()
                    ->DeleteRange(rocksdb::WriteOptions(), (*db)->events(), storage::EventKey(1),
                                  storage::EventKey(last_offset_ + 1))
                    .ok());
  }
  EXPECT_TRUE(RunLog({"dump", copy}).JsonLines().empty());
  const LogRun after = RunLog({"history", copy, "ORDERS", "o1"});
  EXPECT_EQ(after.exit_code, 0) << after.output;
  ASSERT_EQ(after.JsonLines().size(), 4u) << after.output;
  EXPECT_EQ(after.JsonLines(), before.JsonLines());
  // --type and --limit narrow it like the endpoint's filters.
  const LogRun status_only = RunLog({"history", copy, "ORDERS", "o1", "--type", "STATUS_UPDATE"});
  ASSERT_EQ(status_only.JsonLines().size(), 1u) << status_only.output;
  EXPECT_TRUE(Has(status_only.JsonLines()[0], R"("after":"OUT_OF_SERVICE")"))
      << status_only.output;
  EXPECT_EQ(RunLog({"history", copy, "ORDERS", "--limit", "2"}).JsonLines().size(), 2u);
}

// Snapshots taken every 4 events, so verify has several to compare with the
// replay of the log.
class LogVerifySnapshotsTest : public LogToolTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.snapshot.every-events=4"};
  }

  // Offsets of the snapshots in `dir`, oldest first.
  static std::vector<core::Offset> Snapshots(const std::string& dir) {
    const LogRun stat = RunLog({"stat", dir});
    std::vector<core::Offset> offsets;
    if (stat.JsonLines().empty()) return offsets;
    const Json doc(stat.JsonLines()[0]);
    for (std::size_t i = 0; i < doc.SizeAt("/snapshots").value_or(0); ++i) {
      offsets.push_back(static_cast<core::Offset>(
          doc.IntAt("/snapshots/" + std::to_string(i) + "/offset").value_or(0)));
    }
    return offsets;
  }

  // The scenario, stopped; at least two snapshots taken.
  void Prepare() {
    WriteScenario();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(Await([&] { return Snapshots(data_dir()).size() >= 2; }, std::chrono::seconds(10)));
    const LogRun live = RunLog({"verify", data_dir()});
    EXPECT_EQ(live.exit_code, 0) << live.output;
    EXPECT_TRUE(Has(live.output, "(secondary)")) << live.output;
    StopNode();
    snapshots_ = Snapshots(data_dir());
    ASSERT_GE(snapshots_.size(), 2u);
  }

  std::vector<core::Offset> snapshots_;
};

TEST_F(LogVerifySnapshotsTest, PassesWhenEverySnapshotEqualsTheReplay) {
  Prepare();
  if (HasFatalFailure()) return;
  const LogRun verify = RunLog({"verify", data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_TRUE(Has(verify.output, std::to_string(snapshots_.size()) +
                                     " snapshots equal to the replay"))
      << verify.output;
  EXPECT_TRUE(Has(verify.output, "OK")) << verify.output;
}

TEST_F(LogVerifySnapshotsTest, FailsOnAFlippedSnapshotByteNamingTheSnapshot) {
  Prepare();
  if (HasFatalFailure()) return;
  const std::string copy = CopyDir();
  const core::Offset damaged = snapshots_.front();
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    std::string value;
    const std::string key = storage::EventKey(damaged);
    ASSERT_TRUE((*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->snapshots(), key, &value).ok());
    value[value.size() / 2] ^= 0x04;
    ASSERT_TRUE((*db)->raw()->Put(rocksdb::WriteOptions(), (*db)->snapshots(), key, value).ok());
  }
  const LogRun verify = RunLog({"verify", copy});
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_TRUE(Has(verify.output, "problem: snapshot at offset " + std::to_string(damaged)))
      << verify.output;
  EXPECT_TRUE(Has(verify.output, "FAILED")) << verify.output;
}

TEST_F(LogVerifySnapshotsTest, FailsOnASnapshotThatDisagreesWithTheLog) {
  Prepare();
  if (HasFatalFailure()) return;
  const std::string copy = CopyDir();
  const core::Offset wrong = snapshots_.back();
  {
    // A well-formed snapshot at the right offset, of the wrong state: the
    // registration at offset 1 applied once more on top. Only a comparison
    // with the replay can tell.
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    const std::string key = storage::EventKey(wrong);
    std::string snapshot;
    std::string event_bytes;
    ASSERT_TRUE((*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->snapshots(), key, &snapshot).ok());
    ASSERT_TRUE((*db)
                    ->raw()
                    ->Get(rocksdb::ReadOptions(), (*db)->events(), storage::EventKey(1), &event_bytes)
                    .ok());
    absl::StatusOr<std::unique_ptr<core::Registry>> registry =
        storage::DecodeSnapshot(snapshot, wrong, core::RegistryOptions());
    ASSERT_TRUE(registry.ok()) << registry.status();
    absl::StatusOr<core::Event> event = storage::DecodeEvent(event_bytes, 1);
    ASSERT_TRUE(event.ok()) << event.status();
    ASSERT_EQ(event->type, core::EventType::kRegister);
    event->offset = wrong;
    (*registry)->Apply(*event);
    ASSERT_EQ((*registry)->last_applied_offset(), wrong);
    ASSERT_TRUE((*db)->raw()
                    ->Put(rocksdb::WriteOptions(), (*db)->snapshots(), key,
                          storage::EncodeSnapshot(**registry))
                    .ok());
  }
  const LogRun verify = RunLog({"verify", copy});
  EXPECT_EQ(verify.exit_code, 1) << verify.output;
  EXPECT_TRUE(Has(verify.output, "problem: snapshot at offset " + std::to_string(wrong) +
                                     " differs from the replay"))
      << verify.output;
}

// A node run with a non-default expected-clients count: its snapshots hold a
// state the replay from offset 1 reaches only with the same setting.
class LogVerifyNodeOptionsTest : public LogVerifySnapshotsTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.snapshot.every-events=4", "--set",
            "eureka.instance.registry.expected-number-of-clients-sending-renews=7"};
  }
};

TEST_F(LogVerifyNodeOptionsTest, VerifyTakesTheNodesRegistryOptions) {
  WriteScenario();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(Await([&] { return Snapshots(data_dir()).size() >= 2; }, std::chrono::seconds(10)));
  StopNode();
  const LogRun defaults = RunLog({"verify", data_dir()});
  EXPECT_EQ(defaults.exit_code, 1) << defaults.output;
  EXPECT_TRUE(Has(defaults.output, "differs from the replay")) << defaults.output;
  const LogRun matching = RunLog({"verify", data_dir(), "--expected-clients", "7"});
  EXPECT_EQ(matching.exit_code, 0) << matching.output;
}

TEST(LogToolCli, UsageErrorsExitTwoAndAMissingDirExitsOne) {
  EXPECT_EQ(RunLog({}).exit_code, 2);
  EXPECT_EQ(RunLog({"dump"}).exit_code, 2);
  EXPECT_EQ(RunLog({"dump", "/tmp", "--type", "NOPE"}).exit_code, 2);
  const LogRun help = RunLog({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(Has(help.output, "verify")) << help.output;
  const LogRun missing = RunLog({"stat", "/nonexistent/logbook-data"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(Has(missing.output, "does not exist")) << missing.output;
}

}  // namespace
}  // namespace logbook::e2e
