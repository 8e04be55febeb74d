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
  absl::StatusOr<std::vector<core::Event>> decoded =
      DecodeBatch(codec_, BatchFrame{"b", 3, 8}, Body(events));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, events);
}

TEST_F(ReplicationWire, EmptyBodyIsAnEmptyBatch) {
  absl::StatusOr<std::vector<core::Event>> decoded = DecodeBatch(codec_, BatchFrame{"b", 3, 9}, "");
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());
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
