// Peer URLs with credentials (net/replication/peer_http_client.h).
#include <gtest/gtest.h>

#include <string>

#include "net/basic_auth.h"
#include "net/replication/peer_http_client.h"

namespace logbook::net::replication {
namespace {

TEST(PeerUrlCredentials, UserinfoBecomesBasicAuthorization) {
  const absl::StatusOr<PeerAddress> address =
      ParsePeerUrl("http://rep:s3cret@node-b:8762/eureka/", BasicAuthorization("other", "x"));
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(address->host, "node-b");
  EXPECT_EQ(address->port, 8762);
  EXPECT_EQ(address->authorization, BasicAuthorization("rep", "s3cret"));
}

TEST(PeerUrlCredentials, WithoutUserinfoTheDefaultIsUsed) {
  EXPECT_EQ(ParsePeerUrl("http://node-b:8762", "Basic abc")->authorization, "Basic abc");
  EXPECT_EQ(ParsePeerUrl("http://node-b:8762")->authorization, "");
}

TEST(PeerUrlCredentials, ErrorsMaskThePassword) {
  for (const char* url : {"http://rep:s3cret@node-b:0", "https://rep:s3cret@node-b",
                          "http://rep:s3cret@:8761"}) {
    const absl::StatusOr<PeerAddress> address = ParsePeerUrl(url);
    ASSERT_FALSE(address.ok()) << url;
    const std::string message(address.status().message());
    EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    EXPECT_NE(message.find("rep:***@"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace logbook::net::replication
