// Damage at startup, with the real binary on damaged copies of a real data
// dir (docs/durability.md, "Damage at startup"): a bad event after the newest
// snapshot refuses the start (exit 1, the offset named, what to do said); a
// bad newest snapshot is skipped for an older one plus a longer replay, and
// the registry served is identical; with every snapshot bad the node replays
// the whole log if it still holds it and refuses otherwise; a truncated table
// file refuses the start naming the file.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int kRegistrations = 50;
constexpr int kAfterSnapshots = 5;
const std::vector<std::string> kNodeArgs = {"--set", "logbook.snapshot.every-events=20"};

bool Has(const std::string& text, std::string_view part) {
  return absl::StrContains(text, absl::string_view(part.data(), part.size()));
}

// The offsets of the snapshots `logbook log stat` lists in `dir`.
std::vector<std::int64_t> SnapshotOffsets(const std::string& dir) {
  std::string output;
  logbook::testing::RunLogbook({"log", "stat", dir}, &output);
  std::vector<std::int64_t> offsets;
  for (const absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "{")) continue;
    const Json doc(std::string(line.data(), line.size()));
    const std::size_t count = doc.SizeAt("/snapshots").value_or(0);
    for (std::size_t i = 0; i < count; ++i) {
      offsets.push_back(doc.IntAt("/snapshots/" + std::to_string(i) + "/offset").value_or(0));
    }
  }
  std::sort(offsets.begin(), offsets.end());
  return offsets;
}

// Runs a node on a copy of the dir until it serves or exits.
struct StartResult {
  bool started = false;
  int exit_code = -1;
  std::string output;
  std::string apps;  // GET /eureka/v2/apps (JSON) when it started
  std::string status;
};

StartResult StartOn(const std::string& dir) {
  StartResult result;
  NodeProcess node(dir, kNodeArgs);
  result.started = node.Start();
  if (result.started) {
    HttpClient http(node.port());
    result.apps = http.Get("/eureka/v2/apps", kAcceptJson).body;
    result.status = http.Get("/logbook/v1/status").body;
    result.exit_code = node.Stop(SIGTERM);
  } else {
    result.exit_code = node.WaitForExit(std::chrono::seconds(10));
  }
  result.output = node.Output();
  return result;
}

class StartupDamageTest : public ::testing::Test {
 protected:
  // A node takes 50 registrations with a snapshot every 20 events, then 5
  // more events after the newest snapshot, and is SIGKILLed (no final
  // snapshot): the dir has several snapshots and a tail to replay.
  void SetUp() override {
    NodeProcess node(Original(), kNodeArgs);
    ASSERT_TRUE(node.Start()) << node.Output();
    HttpClient http(node.port());
    for (int i = 0; i < kRegistrations; ++i) {
      const std::string app = "APP" + std::to_string(i % 3);
      ASSERT_EQ(http.Request("POST", "/eureka/v2/apps/" + app, kJsonBody,
                             R(app, "i" + std::to_string(i), "h" + std::to_string(i), "10.0.0.1")
                                 .Json())
                    .status,
                204);
    }
    ASSERT_TRUE(Await([&] { return SnapshotOffsets(Original()).size() >= 2; },
                      std::chrono::seconds(10)))
        << "the node took no snapshots\n" << node.Output();
    for (int i = 0; i < kAfterSnapshots; ++i) {
      ASSERT_EQ(http.Request("PUT", "/eureka/v2/apps/APP0/i0").status, 200);
    }
    last_offset_ = Json(http.Get("/logbook/v1/status").body).IntAt("/log/last_offset").value_or(0);
    ASSERT_EQ(last_offset_, kRegistrations + kAfterSnapshots);
    apps_ = http.Get("/eureka/v2/apps", kAcceptJson).body;
    ASSERT_EQ(node.Stop(SIGKILL), 128 + SIGKILL);
    snapshots_ = SnapshotOffsets(Original());
    ASSERT_GE(snapshots_.size(), 2u);
    ASSERT_LT(snapshots_.back(), last_offset_) << "no tail after the newest snapshot";
  }

  std::string Original() const { return dir_.path() + "/original"; }

  std::string Copy(const std::string& name) {
    const std::string copy = dir_.path() + "/" + name;
    fs::copy(Original(), copy, fs::copy_options::recursive);
    return copy;
  }

  // Rewrites one value in `family` of the copy with a byte flipped in the
  // middle: the damage our checksums exist for.
  static void FlipValue(const std::string& dir, bool snapshots, const std::string& key) {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(dir);
    ASSERT_TRUE(db.ok()) << db.status();
    rocksdb::ColumnFamilyHandle* family = snapshots ? (*db)->snapshots() : (*db)->events();
    std::string value;
    ASSERT_TRUE((*db)->raw()->Get(rocksdb::ReadOptions(), family, key, &value).ok());
    value[value.size() / 2] ^= 0x10;
    ASSERT_TRUE((*db)->raw()->Put(rocksdb::WriteOptions(), family, key, value).ok());
  }

  TempDir dir_{ScratchParent()};
  std::int64_t last_offset_ = 0;
  std::string apps_;
  std::vector<std::int64_t> snapshots_;
};

TEST_F(StartupDamageTest, AFlippedEventAfterTheSnapshotRefusesTheStartNamingItsOffset) {
  const std::string copy = Copy("event");
  FlipValue(copy, /*snapshots=*/false, storage::EventKey(last_offset_ - 1));
  const StartResult result = StartOn(copy);
  EXPECT_FALSE(result.started) << "served a registry from a damaged log\n" << result.output;
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Has(result.output, "offset " + std::to_string(last_offset_ - 1))) << result.output;
  EXPECT_TRUE(Has(result.output, "refusing to start")) << result.output;
  EXPECT_TRUE(Has(result.output, "logbook log verify")) << result.output;
  // The original is untouched and starts.
  const StartResult original = StartOn(Original());
  EXPECT_TRUE(original.started) << original.output;
}

TEST_F(StartupDamageTest, AFlippedNewestSnapshotFallsBackToAnOlderOneAndServesTheSameRegistry) {
  const std::string copy = Copy("snapshot");
  const std::int64_t newest = snapshots_.back();
  FlipValue(copy, /*snapshots=*/true, storage::EventKey(newest));
  const StartResult result = StartOn(copy);
  ASSERT_TRUE(result.started) << result.output;
  EXPECT_TRUE(Has(result.output,
                  "skipping a damaged snapshot\" offset=" + std::to_string(newest)))
      << result.output;
  const Json status(result.status);
  const std::int64_t used = status.IntAt("/recovery/snapshot_offset").value_or(-1);
  EXPECT_EQ(used, snapshots_[snapshots_.size() - 2]) << result.status;
  EXPECT_EQ(status.IntAt("/recovery/replayed_events"), last_offset_ - used) << result.status;
  EXPECT_EQ(result.apps, apps_);
}

TEST_F(StartupDamageTest, EverySnapshotFlippedReplaysTheWholeLog) {
  const std::string copy = Copy("all-snapshots");
  for (const std::int64_t offset : snapshots_) {
    FlipValue(copy, /*snapshots=*/true, storage::EventKey(offset));
    if (HasFatalFailure()) return;
  }
  const StartResult result = StartOn(copy);
  ASSERT_TRUE(result.started) << result.output;
  const Json status(result.status);
  EXPECT_EQ(status.IntAt("/recovery/snapshot_offset"), 0) << result.status;
  EXPECT_EQ(status.IntAt("/recovery/replayed_events"), last_offset_) << result.status;
  EXPECT_EQ(result.apps, apps_);
}

TEST_F(StartupDamageTest, EverySnapshotFlippedAndThePrefixGoneRefusesTheStart) {
  const std::string copy = Copy("no-prefix");
  for (const std::int64_t offset : snapshots_) {
    FlipValue(copy, /*snapshots=*/true, storage::EventKey(offset));
    if (HasFatalFailure()) return;
  }
  {
    // What retention does once a snapshot covers the events: drop a prefix.
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->raw()
                    ->DeleteRange(rocksdb::WriteOptions(), (*db)->events(), storage::EventKey(1),
                                  storage::EventKey(6))
                    .ok());
  }
  const StartResult result = StartOn(copy);
  EXPECT_FALSE(result.started) << result.output;
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Has(result.output, "events 1..5 are gone")) << result.output;
  EXPECT_TRUE(Has(result.output, "skipping a damaged snapshot")) << result.output;
}

TEST_F(StartupDamageTest, ATruncatedTableFileRefusesTheStartNamingTheFile) {
  const std::string copy = Copy("truncated");
  {
    // Flushed, so the events live in table files rather than the WAL.
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(copy);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->raw()->Flush(rocksdb::FlushOptions(), (*db)->events()).ok());
    ASSERT_TRUE((*db)->raw()->Flush(rocksdb::FlushOptions(), (*db)->snapshots()).ok());
  }
  fs::path largest;
  std::uintmax_t largest_size = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(copy)) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  }
  ASSERT_FALSE(largest.empty()) << "no table file after the flush";
  fs::resize_file(largest, largest_size / 2);
  const StartResult result = StartOn(copy);
  EXPECT_FALSE(result.started) << result.output;
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(Has(result.output, largest.filename().string())) << result.output;
  EXPECT_TRUE(Has(result.output, "logbook log verify")) << result.output;
}

}  // namespace
}  // namespace logbook::e2e
