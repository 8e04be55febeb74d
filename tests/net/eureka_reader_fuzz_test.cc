// Fuzz-style robustness of the Eureka readers: seeded random bytes, every
// truncation of valid bodies and random byte flips must yield a value or an
// error, never a crash (the suite runs under ASan and UBSan).
#include <gtest/gtest.h>

#include <random>

#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "tests/net/eureka_samples.h"

namespace logbook::net::eureka {
namespace {

using testing::EverythingRecord;
using testing::HostARecord;
using testing::RegistrationBody;

constexpr core::TimestampMs kNow = 1;

std::vector<std::string> ValidBodies() {
  const core::InstanceRecord everything = EverythingRecord();
  const core::InstanceRecord host_a = HostARecord();
  return {
      RegistrationBody("ORDERS", "o1", "h1", "10.0.0.1"),
      WriteInstanceJson({&everything}),
      WriteInstanceJson({&host_a}),
      WriteInstanceXml({&everything}),
      WriteInstanceXml({&host_a}),
      R"({"replicationList":[{"appName":"A","id":"i","action":"Register","instanceInfo":)" +
          WriteBareInstanceJson({&everything}) +
          R"(},{"action":"Heartbeat","lastDirtyTimestamp":5}]})",
  };
}

// Any input yields a value or InvalidArgument (what handlers turn into 400);
// the sanitizers check that getting there touched no memory it should not.
void ReadAll(std::string_view bytes) {
  const auto ok_or_invalid = [](const absl::Status& status) {
    return status.ok() || status.code() == absl::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(ok_or_invalid(ReadInstanceJson(bytes, kNow).status()));
  EXPECT_TRUE(ok_or_invalid(ReadInstanceXml(bytes, kNow).status()));
  absl::StatusOr<std::vector<ReplicationItem>> batch = ReadReplicationBatchJson(bytes, kNow);
  EXPECT_TRUE(ok_or_invalid(batch.status()));
  if (batch.ok()) {
    for (const ReplicationItem& item : *batch) {
      if (item.instance_info.has_value()) {
        EXPECT_TRUE(ok_or_invalid(item.instance_info->status()));
      }
    }
  }
}

TEST(EurekaReaderFuzz, ValidBodiesParse) {
  const std::vector<std::string> bodies = ValidBodies();
  EXPECT_TRUE(ReadInstanceJson(bodies[0], kNow).ok());
  EXPECT_TRUE(ReadInstanceJson(bodies[1], kNow).ok());
  EXPECT_TRUE(ReadInstanceXml(bodies[3], kNow).ok());
  EXPECT_TRUE(ReadReplicationBatchJson(bodies[5], kNow).ok());
}

TEST(EurekaReaderFuzz, EveryTruncation) {
  for (const std::string& body : ValidBodies()) {
    for (std::size_t length = 0; length < body.size(); ++length) {
      const std::string_view prefix(body.data(), length);
      ReadAll(prefix);
      // A truncated instance is never accepted as complete.
      if (body.front() == '{' && length + 1 < body.size()) {
        EXPECT_FALSE(ReadInstanceJson(prefix, kNow).ok()) << prefix;
      }
    }
  }
}

TEST(EurekaReaderFuzz, RandomBytes) {
  std::mt19937 rng(20240611);
  for (int round = 0; round < 3000; ++round) {
    std::string bytes(rng() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
    ReadAll(bytes);
  }
}

TEST(EurekaReaderFuzz, RandomTokenSoup) {
  // Random sequences of syntax pieces reach deeper than random bytes.
  const char* const kPieces[] = {
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      "\"instance\"",
      "\"app\"",
      "\"port\"",
      "\"$\"",
      "\"@enabled\"",
      "\"dataCenterInfo\"",
      "\"@class\"",
      "\"name\"",
      "\"metadata\"",
      "\"leaseInfo\"",
      "\"replicationList\"",
      "\"instanceInfo\"",
      "null",
      "true",
      "1",
      "-9223372036854775809",
      "1e400",
      "\"x\"",
      "\"\\u0000\"",
      "<instance>",
      "</instance>",
      "<app>",
      "</app>",
      "<port enabled=\"true\">",
      "</port>",
      "<metadata>",
      "</metadata>",
      "<dataCenterInfo>",
      "</dataCenterInfo>",
      "<name>",
      "</name>",
      "&amp;",
      "&#0;",
      "<!--",
      "-->",
      "<![CDATA[",
      "]]>",
      "<?xml version=\"1.0\"?>",
      "<!DOCTYPE x>",
      "_.00e9",
      "__",
  };
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string body;
    const int count = static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) body += kPieces[rng() % std::size(kPieces)];
    ReadAll(body);
  }
}

TEST(EurekaReaderFuzz, RandomByteFlipsOfValidBodies) {
  std::mt19937 rng(99);
  const std::vector<std::string> bodies = ValidBodies();
  for (int round = 0; round < 2000; ++round) {
    std::string body = bodies[rng() % bodies.size()];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) body[rng() % body.size()] = static_cast<char>(rng() & 0xFF);
    ReadAll(body);
  }
}

}  // namespace
}  // namespace logbook::net::eureka
