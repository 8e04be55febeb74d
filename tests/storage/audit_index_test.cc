#include "storage/audit_index.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_key.h"
#include "storage/event_log.h"
#include "tests/storage/audit_test_util.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::AuditPage;
using core::AuditQuery;
using core::Event;
using core::EventType;
using core::InstanceStatus;
using core::Offset;
using testing::DurabilityRecorder;
using testing::TempDir;

std::vector<Offset> Offsets(const AuditPage& page) {
  std::vector<Offset> offsets;
  for (const core::AuditEntry& entry : page.entries) offsets.push_back(entry.event.offset);
  return offsets;
}

TEST(AuditIndexKeys, IntoAReusedVectorGivesExactlyTheEventsKeys) {
  Event registered;
  registered.type = EventType::kRegister;
  registered.app = "ORDERS";
  registered.instance_id = "orders-host-0001.example.internal:8080";
  registered.timestamp_ms = -5;  // before 1970: the sign bit is flipped
  registered.offset = 0x0102030405060708ull;
  Event threshold;
  threshold.type = EventType::kRenewalThresholdUpdate;
  threshold.timestamp_ms = 1700000000000;
  threshold.offset = 9;

  std::vector<std::string> keys;
  AuditIndexKeysInto(registered, &keys);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      AuditTimeKey(registered.timestamp_ms, registered.offset),
                      AuditAppKey(registered.app, registered.offset),
                      AuditInstanceKey(registered.app, registered.instance_id, registered.offset)}));
  // Reused for an event without an app: only its time key is left.
  AuditIndexKeysInto(threshold, &keys);
  EXPECT_EQ(keys, (std::vector<std::string>{AuditTimeKey(threshold.timestamp_ms, threshold.offset)}));
  // And back: nothing of the previous keys shows through.
  registered.app = "B";
  registered.instance_id = "i";
  AuditIndexKeysInto(registered, &keys);
  EXPECT_EQ(keys, AuditIndexKeys(registered));
  EXPECT_EQ(keys[2], std::string("i|B\0i\0", 6) + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

class AuditIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventLogOptions options;
    options.data_dir = dir_.path();
    options.sync = SyncPolicy::kNone;
    absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options, recorder_.Callback());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    log_->Start();
    events_ = testing::ScriptedScenario();
    ASSERT_TRUE(log_->Append(events_).ok());
    ASSERT_TRUE(recorder_.WaitForDurable(events_.size()));
  }

  AuditPage History(AuditQuery query) {
    absl::StatusOr<AuditPage> page = log_->audit().History(query);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *std::move(page) : AuditPage{};
  }

  TempDir dir_;
  DurabilityRecorder recorder_;
  std::unique_ptr<EventLog> log_;
  std::vector<Event> events_;
};

TEST_F(AuditIndexTest, IndexEntriesAreWrittenWithTheEvents) {
  // Every non-RENEW event is in `audit` with its index keys, nothing else.
  // (They are Put in the same WriteBatch as the event: GroupCommitWriter::Commit.)
  log_->Stop();
  log_.reset();
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir_.path());
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<Offset> audited;
  std::unique_ptr<rocksdb::Iterator> it((*db)->raw()->NewIterator({}, (*db)->audit()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    audited.push_back(*ParseEventKey(std::string_view(it->key().data(), it->key().size())));
  }
  EXPECT_EQ(audited, (std::vector<Offset>{1, 3, 4, 5, 6, 7, 8, 10, 11, 12}));
  std::vector<std::string> keys;
  it.reset((*db)->raw()->NewIterator({}, (*db)->audit_index()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
  // 9 events with an app (3 keys each) + 1 threshold update (time key only).
  EXPECT_EQ(keys.size(), 9u * 3 + 1);
  for (const Event& event : events_) {
    if (event.type == EventType::kRenew) continue;
    for (const std::string& key : AuditIndexKeys(event)) {
      EXPECT_TRUE(std::find(keys.begin(), keys.end(), key) != keys.end()) << event.offset;
    }
  }
}

TEST_F(AuditIndexTest, InstanceHistoryIsTheExactSequence) {
  const AuditPage page = History({.app = "ORDERS", .instance_id = "i-1"});
  EXPECT_EQ(Offsets(page), (std::vector<Offset>{1, 3, 5, 6, 7, 8, 10}));
  ASSERT_EQ(page.entries.size(), 7u);
  std::vector<EventType> types;
  for (const auto& entry : page.entries) types.push_back(entry.event.type);
  EXPECT_EQ(types, (std::vector<EventType>{EventType::kRegister, EventType::kStatusUpdate,
                                           EventType::kDeleteStatusOverride,
                                           EventType::kMetadataUpdate, EventType::kCancel,
                                           EventType::kRegister, EventType::kEvict}));
  // Status before -> after.
  EXPECT_EQ(page.entries[0].status_before, std::nullopt);
  EXPECT_EQ(page.entries[1].status_before, InstanceStatus::kUp);
  EXPECT_EQ(page.entries[2].status_before, InstanceStatus::kOutOfService);
  EXPECT_EQ(page.entries[5].status_before, std::nullopt);  // cancelled before
  // The stored events are the logged ones, EVICT with its reason.
  EXPECT_EQ(page.entries[6].event, events_[9]);
  EXPECT_EQ(page.entries[6].event.evict_reason.lease_expired_at_ms, 6900);
  EXPECT_EQ(page.next, 11u);
}

TEST_F(AuditIndexTest, AppHistoryAndWholeLog) {
  EXPECT_EQ(Offsets(History({.app = "ORDERS"})), (std::vector<Offset>{1, 3, 4, 5, 6, 7, 8, 10}));
  EXPECT_EQ(Offsets(History({.app = "PAYMENTS"})), (std::vector<Offset>{12}));
  EXPECT_EQ(Offsets(History({.app = "PAYMENTS", .instance_id = "i-1"})),
            (std::vector<Offset>{12}));
  EXPECT_TRUE(History({.app = "ORDER"}).entries.empty());  // no prefix match across apps
  EXPECT_TRUE(History({.app = "ORDERS", .instance_id = "i-"}).entries.empty());
  EXPECT_EQ(Offsets(History({})), (std::vector<Offset>{1, 3, 4, 5, 6, 7, 8, 10, 11, 12}));
}

TEST_F(AuditIndexTest, TimeRangeAndTypes) {
  EXPECT_EQ(Offsets(History({.app = "ORDERS",
                             .instance_id = "i-1",
                             .since_ms = 2000,
                             .until_ms = 6000})),
            (std::vector<Offset>{3, 5, 6, 7, 8}));
  EXPECT_EQ(Offsets(History({.app = "ORDERS", .instance_id = "i-1", .since_ms = 2001})),
            (std::vector<Offset>{5, 6, 7, 8, 10}));
  EXPECT_EQ(Offsets(History({.app = "ORDERS", .until_ms = 999})), (std::vector<Offset>{}));
  EXPECT_EQ(Offsets(History({.app = "ORDERS", .since_ms = 100000})), (std::vector<Offset>{}));
  EXPECT_EQ(Offsets(History({.since_ms = 6900, .until_ms = 7150})),
            (std::vector<Offset>{10, 11}));
  EXPECT_EQ(Offsets(History({.app = "ORDERS",
                             .instance_id = "i-1",
                             .types = {EventType::kRegister, EventType::kEvict}})),
            (std::vector<Offset>{1, 8, 10}));
  EXPECT_EQ(Offsets(History({.types = {EventType::kRenewalThresholdUpdate}})),
            (std::vector<Offset>{11}));
}

TEST_F(AuditIndexTest, LimitAndNextPage) {
  AuditQuery query{.app = "ORDERS", .instance_id = "i-1", .limit = 3};
  AuditPage page = History(query);
  EXPECT_EQ(Offsets(page), (std::vector<Offset>{1, 3, 5}));
  EXPECT_EQ(page.next, 6u);
  query.from = page.next;
  page = History(query);
  EXPECT_EQ(Offsets(page), (std::vector<Offset>{6, 7, 8}));
  query.from = page.next;
  page = History(query);
  EXPECT_EQ(Offsets(page), (std::vector<Offset>{10}));
  EXPECT_EQ(page.next, 11u);
  query.from = page.next;
  page = History(query);
  EXPECT_TRUE(page.entries.empty());
  EXPECT_EQ(page.next, 11u);
}

TEST_F(AuditIndexTest, SurvivesReopenAndKeepsIndexingNewEvents) {
  log_->Stop();
  log_.reset();
  EventLogOptions options;
  options.data_dir = dir_.path();
  DurabilityRecorder recorder;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options, recorder.Callback());
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Start();
  std::vector<Event> more = {testing::AuditEvent(EventType::kCancel, "ORDERS", "i-2", 8000)};
  ASSERT_TRUE((*log)->Append(more).ok());
  ASSERT_TRUE(recorder.WaitForDurable(13));
  absl::StatusOr<AuditPage> page = (*log)->audit().History({.app = "ORDERS", .instance_id = "i-2"});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Offsets(*page), (std::vector<Offset>{4, 13}));
}

TEST_F(AuditIndexTest, RejectsAnInstanceWithoutApp) {
  EXPECT_EQ(log_->audit().History({.instance_id = "i-1"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->audit().History({.limit = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace logbook::storage
