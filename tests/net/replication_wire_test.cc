// The replication batch body (docs/replication.md, "Wire format"): what a
// puller accepts and the bad batches it refuses whole.
#include <string>
#include <vector>

#include "core/event.h"
#include "gtest/gtest.h"
#include "net/replication/peer_http_client.h"
#include "net/replication/replication_wire.h"
#include "storage/storage_event_codec.h"

namespace logbook::net::replication {
namespace {

core::Event Originated(core::Offset offset, std::string origin = "b") {
  core::Event event;
  event.offset = offset;
  event.type = core::EventType::kCancel;
  event.app = std::string("ORDERS");
  event.instance_id = std::string("o").append(std::to_string(offset));
  event.timestamp_ms = 1000 + static_cast<core::TimestampMs>(offset);
  event.origin_node = std::move(origin);
  event.origin_offset = offset;
  return event;
}

class ReplicationWire : public ::testing::Test {
 protected:
  std::string Body(const std::vector<core::Event>& events) {
    std::string body;
    for (const core::Event& event : events) AppendRecord(codec_, event, &body);
    return body;
  }
  storage::StorageEventCodec codec_;
};

TEST_F(ReplicationWire, RoundTripsEventsWithTheirOrigin) {
  const std::vector<core::Event> events = {Originated(3), Originated(5), Originated(6)};
  absl::StatusOr<DecodedBatch> decoded = DecodeBatch(codec_, BatchFrame{"b", 3, 8}, Body(events));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->events, events);
  ASSERT_EQ(decoded->requirements.size(), 4u);
  for (const auto& requirements : decoded->requirements) EXPECT_TRUE(requirements.empty());
}

TEST_F(ReplicationWire, EmptyBodyIsAnEmptyBatch) {
  absl::StatusOr<DecodedBatch> decoded = DecodeBatch(codec_, BatchFrame{"b", 3, 9}, "");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->events.empty());
}

TEST_F(ReplicationWire, RequirementsPrecedeTheirEventAndTrailAtTheEnd) {
  std::string body;
  AppendRequirement(Requirement{2, "a", 17}, &body);
  AppendRecord(codec_, Originated(3), &body);
  AppendRecord(codec_, Originated(4), &body);
  AppendRequirement(Requirement{5, "c", 9}, &body);
  AppendRequirement(Requirement{6, "a", 18}, &body);
  absl::StatusOr<DecodedBatch> decoded = DecodeBatch(codec_, BatchFrame{"b", 1, 7}, body);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->events.size(), 2u);
  ASSERT_EQ(decoded->requirements.size(), 3u);
  EXPECT_EQ(decoded->requirements[0], (std::vector<Requirement>{{2, "a", 17}}));
  EXPECT_TRUE(decoded->requirements[1].empty());
  EXPECT_EQ(decoded->requirements[2], (std::vector<Requirement>{{5, "c", 9}, {6, "a", 18}}));
  // A requirement shares the offset order with events.
  std::string out_of_order;
  AppendRecord(codec_, Originated(3), &out_of_order);
  AppendRequirement(Requirement{3, "a", 1}, &out_of_order);
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 1, 7}, out_of_order).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReplicationWire, FlippedByteIsDataLoss) {
  std::string body = Body({Originated(3), Originated(4)});
  body[body.size() - 6] ^= 0x40;
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 3, 5}, body).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(ReplicationWire, TruncatedBodyIsDataLoss) {
  std::string body = Body({Originated(3), Originated(4)});
  for (std::size_t cut : {body.size() - 1, body.size() - 20, std::size_t{5}}) {
    EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 3, 5}, body.substr(0, cut)).status().code(),
              absl::StatusCode::kDataLoss)
        << cut;
  }
}

TEST_F(ReplicationWire, OffsetsOutsideTheRangeOrOutOfOrderAreRefused) {
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 4, 9}, Body({Originated(3)})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 1, 5}, Body({Originated(5)})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 1, 9}, Body({Originated(4), Originated(4)}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReplicationWire, EventsOfAnotherOriginAreRefused) {
  core::Event relayed = Originated(4, "c");
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 1, 9}, Body({relayed})).status().code(),
            absl::StatusCode::kInvalidArgument);
  core::Event renumbered = Originated(4);
  renumbered.origin_offset = 2;
  EXPECT_EQ(DecodeBatch(codec_, BatchFrame{"b", 1, 9}, Body({renumbered})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PeerUrl, HostPortAndPathIgnored) {
  absl::StatusOr<PeerAddress> address = ParsePeerUrl("http://node-b:8761/eureka/");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "node-b");
  EXPECT_EQ(address->port, 8761);
  EXPECT_EQ(ParsePeerUrl("http://node-b")->port, 80);
  EXPECT_FALSE(ParsePeerUrl("https://node-b").ok());
  EXPECT_FALSE(ParsePeerUrl("http://node-b:0").ok());
  EXPECT_FALSE(ParsePeerUrl("http://:80").ok());
}

}  // namespace
}  // namespace logbook::net::replication
