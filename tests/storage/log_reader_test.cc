#include "storage/log_reader.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "core/status.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/event_log.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::Offset;
using testing::DurabilityRecorder;
using testing::RenewEvent;
using testing::TempDir;

// Writes `count` RENEWs of APP/i-<n> with timestamps 1000 + n, then closes.
void WriteRenews(const std::string& dir, int count) {
  DurabilityRecorder recorder;
  EventLogOptions options;
  options.data_dir = dir;
  options.node_id = "node-t";
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options, recorder.Callback());
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Start();
  std::vector<core::Event> events;
  for (int i = 1; i <= count; ++i)
    events.push_back(RenewEvent("APP", "i-" + std::to_string(i), 1000 + i));
  ASSERT_TRUE((*log)->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(count));
  (*log)->Stop();
}

std::unique_ptr<LogReader> OpenReader(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<LogReader>> reader = LogReader::Open(dir);
  EXPECT_TRUE(reader.ok()) << reader.status();
  return reader.ok() ? *std::move(reader) : nullptr;
}

std::vector<LogRecord> Walk(const LogReader& reader, const LogReader::CursorOptions& options) {
  std::vector<LogRecord> records;
  std::unique_ptr<EventCursor> cursor = reader.NewCursor(options);
  LogRecord record;
  while (cursor->Next(&record)) records.push_back(record);
  EXPECT_TRUE(cursor->status().ok()) << cursor->status();
  return records;
}

// Damages the dir the way a test of the tool would: through a raw handle.
void Damage(const std::string& dir, const std::function<void(Db&)>& damage) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir);
  ASSERT_TRUE(db.ok()) << db.status();
  damage(**db);
}

TEST(LogReader, MissingDirIsNotFoundAndNothingIsCreated) {
  TempDir temp;
  const std::string dir = temp.Sub("absent");
  absl::StatusOr<std::unique_ptr<LogReader>> reader = LogReader::Open(dir);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(LogReader, ReadsMetaBoundsAndColumnFamilies) {
  TempDir temp;
  WriteRenews(temp.path(), 5);
  std::unique_ptr<LogReader> reader = OpenReader(temp.path());
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->mode(), ReadMode::kReadOnly);
  EXPECT_EQ(*reader->GetMeta(kMetaNodeIdKey), std::optional<std::string>("node-t"));
  EXPECT_EQ(*reader->OffsetBounds(), (std::pair<Offset, Offset>(1, 5)));
  EXPECT_TRUE(reader->SnapshotKeys()->empty());
  const std::vector<std::string>& families = reader->column_families();
  EXPECT_NE(std::find(families.begin(), families.end(), "events"), families.end());
}

TEST(LogReader, OpensADirWithAColumnFamilyThisBuildDoesNotKnow) {
  TempDir temp;
  WriteRenews(temp.path(), 2);
  Damage(temp.path(), [](Db& db) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(
        db.raw()->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &handle).ok());
    ASSERT_TRUE(db.raw()->DestroyColumnFamilyHandle(handle).ok());
  });
  std::unique_ptr<LogReader> reader = OpenReader(temp.path());
  ASSERT_NE(reader, nullptr);
  const std::vector<std::string>& families = reader->column_families();
  EXPECT_NE(std::find(families.begin(), families.end(), "future"), families.end());
  EXPECT_EQ(*reader->OffsetBounds(), (std::pair<Offset, Offset>(1, 2)));
}

TEST(LogReader, CursorWalksARangeForwardAndBackward) {
  TempDir temp;
  WriteRenews(temp.path(), 6);
  std::unique_ptr<LogReader> reader = OpenReader(temp.path());
  ASSERT_NE(reader, nullptr);
  std::vector<LogRecord> forward = Walk(*reader, {.from = 2, .through = 4});
  ASSERT_EQ(forward.size(), 3u);
  for (std::size_t i = 0; i < forward.size(); ++i) {
    EXPECT_EQ(forward[i].kind, LogRecord::Kind::kEvent);
    EXPECT_EQ(forward[i].offset, 2 + i);
    EXPECT_EQ(forward[i].event.offset, 2 + i);
    EXPECT_EQ(forward[i].event.instance_id, "i-" + std::to_string(2 + i));
  }
  std::vector<LogRecord> backward = Walk(*reader, {.reverse = true});
  ASSERT_EQ(backward.size(), 6u);
  EXPECT_EQ(backward.front().offset, 6u);
  EXPECT_EQ(backward.back().offset, 1u);
}

TEST(LogReader, DamagedValueIsReportedWithItsOffsetAndTheWalkGoesOn) {
  TempDir temp;
  WriteRenews(temp.path(), 4);
  Damage(temp.path(), [](Db& db) {
    std::string value;
    ASSERT_TRUE(db.raw()->Get(rocksdb::ReadOptions(), db.events(), EventKey(3), &value).ok());
    value[value.size() / 2] ^= 0x01;
    ASSERT_TRUE(db.raw()->Put(rocksdb::WriteOptions(), db.events(), EventKey(3), value).ok());
  });
  std::unique_ptr<LogReader> reader = OpenReader(temp.path());
  ASSERT_NE(reader, nullptr);
  std::vector<LogRecord> records = Walk(*reader, {.from = 1, .through = 4, .expect_dense = true});
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[2].kind, LogRecord::Kind::kDamaged);
  EXPECT_EQ(records[2].offset, 3u);
  EXPECT_EQ(records[2].problem.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(records[2].problem.message(), "offset 3")) << records[2].problem;
  EXPECT_EQ(records[3].kind, LogRecord::Kind::kEvent);
}

TEST(LogReader, GapsAreReportedInsideAndAtTheEndsOfADenseWalk) {
  TempDir temp;
  WriteRenews(temp.path(), 6);
  Damage(temp.path(), [](Db& db) {
    for (Offset offset : {Offset{1}, Offset{3}, Offset{4}}) {
      ASSERT_TRUE(db.raw()->Delete(rocksdb::WriteOptions(), db.events(), EventKey(offset)).ok());
    }
  });
  std::unique_ptr<LogReader> reader = OpenReader(temp.path());
  ASSERT_NE(reader, nullptr);
  std::vector<LogRecord> records = Walk(*reader, {.from = 1, .through = 7, .expect_dense = true});
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0].kind, LogRecord::Kind::kGap);
  EXPECT_EQ(records[0].offset, 1u);
  EXPECT_EQ(records[0].gap_last, 1u);
  EXPECT_EQ(records[1].offset, 2u);
  EXPECT_EQ(records[2].kind, LogRecord::Kind::kGap);
  EXPECT_EQ(records[2].offset, 3u);
  EXPECT_EQ(records[2].gap_last, 4u);
  EXPECT_EQ(records[3].offset, 5u);
  EXPECT_EQ(records[4].offset, 6u);
  EXPECT_EQ(records[5].kind, LogRecord::Kind::kGap);
  EXPECT_EQ(records[5].offset, 7u);

  std::vector<LogRecord> backward =
      Walk(*reader, {.from = 2, .through = 6, .reverse = true, .expect_dense = true});
  ASSERT_EQ(backward.size(), 4u);
  EXPECT_EQ(backward[2].kind, LogRecord::Kind::kGap);
  EXPECT_EQ(backward[2].offset, 3u);
  EXPECT_EQ(backward[2].gap_last, 4u);
  EXPECT_EQ(backward[3].offset, 2u);
}

}  // namespace
}  // namespace logbook::storage
