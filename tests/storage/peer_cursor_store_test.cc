// Peer cursors ride in the same WriteBatch as the pulled events they cover
// (docs/replication.md, "Exactly once"), and come back on open.
#include <span>
#include <vector>

#include "core/peer_cursor.h"
#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/event_log.h"
#include "storage/peer_cursor_store.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::Event;
using core::PeerCursor;
using testing::TempDir;

EventLogOptions Options(const std::string& dir) {
  EventLogOptions options;
  options.data_dir = dir;
  options.node_id = std::string("a");
  return options;
}

Event Pulled(core::Offset origin_offset) {
  Event event;
  event.type = core::EventType::kCancel;
  event.source = core::EventSource::kLogbookPeer;
  event.app = std::string("ORDERS");
  event.instance_id = std::string("o1");
  event.timestamp_ms = 1000;
  event.origin_node = std::string("b");
  event.origin_offset = origin_offset;
  return event;
}

TEST(PeerCursorStore, ValueRoundTrips) {
  const PeerCursor cursor{"b", "0123456789abcdef0123456789abcdef", 42};
  absl::StatusOr<PeerCursor> decoded =
      DecodePeerCursor(PeerCursorKey("b"), EncodePeerCursorValue(cursor));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, cursor);
}

TEST(PeerCursorStore, MalformedValueIsDataLossNamingTheKey) {
  absl::StatusOr<PeerCursor> decoded = DecodePeerCursor(PeerCursorKey("b"), "\x01short");
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("peer_cursor/b"), std::string::npos);
  std::string unknown_version(9, '\0');
  unknown_version[0] = 9;
  EXPECT_EQ(DecodePeerCursor(PeerCursorKey("b"), unknown_version).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(PeerCursorStore, CursorIsDurableWithTheEventsAndLoadedOnOpen) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(Options(temp.path()), [](core::Offset, absl::Status) {});
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_TRUE((*log)->initial_peer_cursors().empty());
    (*log)->Start();
    std::vector<Event> events = {Pulled(3), Pulled(5)};
    const PeerCursor cursor{"b", "identity-b", 6};
    ASSERT_TRUE((*log)->AppendWithCursor(events, cursor).ok());
    // Origin is kept, offsets are local.
    EXPECT_EQ(events[0].offset, 1u);
    EXPECT_EQ(events[0].origin_node, "b");
    EXPECT_EQ(events[1].origin_offset, 5u);
    std::vector<Event> more = {Pulled(9)};
    ASSERT_TRUE((*log)->AppendWithCursor(more, PeerCursor{"b", "identity-b", 10}).ok());
    // A cursor alone (a range with no event of the peer's) is written too.
    ASSERT_TRUE((*log)->AppendWithCursor({}, PeerCursor{"c", "identity-c", 4}).ok());
    (*log)->Stop();
  }
  absl::StatusOr<std::unique_ptr<EventLog>> reopened = EventLog::Open(Options(temp.path()), [](core::Offset, absl::Status) {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  const auto& cursors = (*reopened)->initial_peer_cursors();
  ASSERT_EQ(cursors.size(), 2u);
  EXPECT_EQ(cursors.at("b"), (PeerCursor{"b", "identity-b", 10}));
  EXPECT_EQ(cursors.at("c"), (PeerCursor{"c", "identity-c", 4}));
  std::vector<Event> read;
  ASSERT_TRUE((*reopened)->Read(1, 10, &read).ok());
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[2].origin_offset, 9u);
  EXPECT_EQ(read[2].source, core::EventSource::kLogbookPeer);
}

// The writer commits a batch's events and its cursor in one rocksdb
// WriteBatch: a batch that fails to be written leaves neither, so a node
// that restarts never holds events without their cursor (duplicates on the
// next pull) nor a cursor without its events (a gap).
TEST(PeerCursorStore, FailedWriteLeavesNeitherEventsNorCursor) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(Options(temp.path()), [](core::Offset, absl::Status) {});
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Start();
    std::vector<Event> first = {Pulled(3)};
    ASSERT_TRUE((*log)->AppendWithCursor(first, PeerCursor{"b", "identity-b", 4}).ok());
    (*log)->Stop();
    // After Stop the writer refuses: nothing of this batch may land.
    std::vector<Event> refused = {Pulled(7)};
    EXPECT_FALSE((*log)->AppendWithCursor(refused, PeerCursor{"b", "identity-b", 8}).ok());
  }
  absl::StatusOr<std::unique_ptr<EventLog>> reopened = EventLog::Open(Options(temp.path()), [](core::Offset, absl::Status) {});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->initial_peer_cursors().at("b").next_offset, 4u);
  EXPECT_EQ((*reopened)->last_offset(), 1u);
}

}  // namespace
}  // namespace logbook::storage
