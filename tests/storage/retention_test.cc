#include "storage/retention.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/audit_index.h"
#include "storage/db.h"
#include "storage/event_log.h"
#include "tests/storage/audit_test_util.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::Event;
using core::EventType;
using core::Offset;
using testing::DurabilityRecorder;
using testing::RenewEvent;
using testing::TempDir;

constexpr std::int64_t kRenewRetentionMs = 10'000;
constexpr std::int64_t kAuditRetentionMs = 100'000;

std::unique_ptr<EventLog> Open(const std::string& dir, DurabilityRecorder& recorder) {
  EventLogOptions options;
  options.data_dir = dir;
  options.sync = SyncPolicy::kNone;
  options.retention.renew_retention_ms = kRenewRetentionMs;
  options.retention.audit_retention_ms = kAuditRetentionMs;
  options.retention.interval_ms = 10;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options, recorder.Callback());
  EXPECT_TRUE(log.ok()) << log.status();
  if (!log.ok()) return nullptr;
  (*log)->Start();
  return *std::move(log);
}

// Live keys of a column family (tests only: a scan).
std::size_t CountKeys(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  std::size_t count = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  return count;
}

// One REGISTER at t=0, then one RENEW per second up to t=`seconds`:
// offset 1 is the REGISTER, offset k+1 the RENEW at k seconds.
std::vector<Event> RegisterThenRenews(int seconds) {
  std::vector<Event> events;
  events.push_back(testing::RegisterEvent("ORDERS", "i-1", core::InstanceStatus::kUp, 0));
  for (int s = 1; s <= seconds; ++s) events.push_back(RenewEvent("ORDERS", "i-1", s * 1000));
  return events;
}

TEST(RetentionTest, NothingIsDroppedBelowTheDefaultFloor) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  std::vector<Event> events = RegisterThenRenews(100);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(101));
  absl::StatusOr<RetentionRun> run = log->RunRetention(100'000);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->events_dropped, 0u);
  EXPECT_EQ(log->first_offset(), 1u);
}

TEST(RetentionTest, DropsBelowMinOfHorizonAndFloorAndPersists) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  std::vector<Event> events = RegisterThenRenews(100);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(101));

  // Horizon: now - 10 s = 90 s, i.e. offset 91. The floor (50) wins.
  log->SetRetentionFloor(50);
  absl::StatusOr<RetentionRun> run = log->RunRetention(100'000);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->first_offset, 50u);
  EXPECT_EQ(run->events_dropped, 49u);
  EXPECT_EQ(log->first_offset(), 50u);

  // Then the horizon wins.
  log->SetRetentionFloor(1'000'000);
  run = log->RunRetention(100'000);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(log->first_offset(), 91u);

  std::vector<Event> read;
  EXPECT_EQ(log->Read(90, 10, &read).code(), absl::StatusCode::kOutOfRange);
  ASSERT_TRUE(log->Read(91, 100, &read).ok());
  ASSERT_EQ(read.size(), 11u);
  EXPECT_EQ(read.front().offset, 91u);
  EXPECT_EQ(read.front().timestamp_ms, 90'000);

  // The REGISTER at offset 1 is still in the audit history.
  absl::StatusOr<core::AuditPage> page = log->audit().History({.app = "ORDERS"});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].event.offset, 1u);

  // Reopen: the first offset persisted, the last one too, appends continue.
  log->Stop();
  log.reset();
  DurabilityRecorder recorder2;
  log = Open(dir.path(), recorder2);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->first_offset(), 91u);
  EXPECT_EQ(log->last_offset(), 101u);
  std::vector<Event> replayed;
  ASSERT_TRUE(log->Replay(91, [&](const Event& e) { replayed.push_back(e); }).ok());
  EXPECT_EQ(replayed.size(), 11u);
  EXPECT_EQ(log->Replay(1, [](const Event&) {}).code(), absl::StatusCode::kOutOfRange);
  std::vector<Event> more = {RenewEvent("ORDERS", "i-1", 101'000)};
  ASSERT_TRUE(log->Append(more).ok());
  EXPECT_EQ(more[0].offset, 102u);
  log->Stop();  // before recorder2 goes
}

TEST(RetentionTest, KeepsTheLastEventEvenWhenEverythingIsOld) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  std::vector<Event> events = RegisterThenRenews(20);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(21));
  log->SetRetentionFloor(1'000'000);
  ASSERT_TRUE(log->RunRetention(10'000'000).ok());
  EXPECT_EQ(log->first_offset(), 21u);
  log->Stop();
  log.reset();
  DurabilityRecorder recorder2;
  log = Open(dir.path(), recorder2);
  EXPECT_EQ(log->first_offset(), 21u);
  EXPECT_EQ(log->last_offset(), 21u);
  log->Stop();  // before recorder2 goes
}

TEST(RetentionTest, AuditKeepsStateChangesForTheAuditRetention) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  std::vector<Event> events = testing::ScriptedScenario();  // t = 1000 .. 7200
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(12));
  log->SetRetentionFloor(1'000'000);

  // now = 7200 + 10 s: events keep only the last one; audit keeps all.
  ASSERT_TRUE(log->RunRetention(17'200).ok());
  EXPECT_EQ(log->first_offset(), 12u);
  absl::StatusOr<core::AuditPage> page = log->audit().History({.app = "ORDERS", .instance_id = "i-1"});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->entries.size(), 7u);

  // Audit horizon at 5000 (now = 105000): offsets below 7 (t < 5000) go.
  absl::StatusOr<RetentionRun> run = log->RunRetention(105'000);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->audit_first_offset, 7u);
  page = log->audit().History({.app = "ORDERS", .instance_id = "i-1"});
  ASSERT_TRUE(page.ok()) << page.status();
  std::vector<Offset> offsets;
  for (const auto& entry : page->entries) offsets.push_back(entry.event.offset);
  EXPECT_EQ(offsets, (std::vector<Offset>{7, 8, 10}));
  page = log->audit().History({.since_ms = 0});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->entries.front().event.offset, 7u);

  // The compaction filter removes the stale i|/a| entries; t| went by DeleteRange.
  log->Stop();
  log.reset();
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  (*db)->SetAuditIndexFloor(7);
  ASSERT_TRUE((*db)->raw()->CompactRange({}, (*db)->audit_index(), nullptr, nullptr).ok());
  // Offsets 7, 8, 10, 12 with an app (3 keys each) + 11 (time key only).
  EXPECT_EQ(CountKeys((*db)->raw(), (*db)->audit_index()), 4u * 3 + 1);
  EXPECT_EQ(CountKeys((*db)->raw(), (*db)->audit()), 5u);
}

TEST(RetentionTest, LiveKeysStayBoundedUnderSteadyRenewals) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  log->SetRetentionFloor(~Offset{0});
  // 100 instances renewing every second for 300 s; renew retention 10 s:
  // about 10 s x 100 events stay live, however long this runs.
  std::vector<Event> registers;
  for (int i = 0; i < 100; ++i) {
    registers.push_back(
        testing::RegisterEvent("ORDERS", "i-" + std::to_string(i), core::InstanceStatus::kUp, 0));
  }
  ASSERT_TRUE(log->Append(registers).ok());
  std::size_t max_live = 0;
  for (int second = 1; second <= 300; ++second) {
    std::vector<Event> renews;
    for (int i = 0; i < 100; ++i) {
      renews.push_back(RenewEvent("ORDERS", "i-" + std::to_string(i), second * 1000));
    }
    ASSERT_TRUE(log->Append(renews).ok());
    if (second % 10 == 0) {
      ASSERT_TRUE(recorder.WaitForDurable(log->last_offset()));
      ASSERT_TRUE(log->RunRetention(second * 1000).ok());
    }
  }
  ASSERT_TRUE(recorder.WaitForDurable(log->last_offset()));
  ASSERT_TRUE(log->RunRetention(300'000).ok());
  const Offset last = log->last_offset();
  EXPECT_EQ(last, 100u + 300 * 100);
  // Horizon 290 s: offsets of second 290 onwards stay (11 seconds x 100).
  EXPECT_EQ(last - log->first_offset() + 1, 1100u);
  const Offset log_last_offset = last;
  log->Stop();
  log.reset();
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir.path());
  ASSERT_TRUE(db.ok()) << db.status();
  max_live = CountKeys((*db)->raw(), (*db)->events());
  EXPECT_EQ(max_live, 1100u);
  // The audit log never held a RENEW, and its horizon (100 s) has passed
  // the REGISTERs at t=0 too.
  EXPECT_EQ(CountKeys((*db)->raw(), (*db)->audit()), 0u);
  // Their i|/a| index entries go at the next compaction (t| went by DeleteRange).
  (*db)->SetAuditIndexFloor(log_last_offset + 1);
  ASSERT_TRUE((*db)->raw()->CompactRange({}, (*db)->audit_index(), nullptr, nullptr).ok());
  EXPECT_EQ(CountKeys((*db)->raw(), (*db)->audit_index()), 0u);
}

TEST(RetentionTest, TheThreadRunsPeriodically) {
  TempDir dir;
  DurabilityRecorder recorder;
  auto log = Open(dir.path(), recorder);
  std::vector<Event> events = RegisterThenRenews(100);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(101));
  log->SetRetentionFloor(30);
  core::ManualClock clock(100'000);
  log->StartRetention(clock);
  for (int i = 0; i < 1000 && log->first_offset() != 30; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(log->first_offset(), 30u);
  log->Stop();
}

}  // namespace
}  // namespace logbook::storage
