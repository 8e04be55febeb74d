// The snapshot transfer (docs/replication.md, "Snapshot transfer"): what a
// bootstrapping node accepts, and the damaged or inconsistent answers it
// refuses, logs and asks again for, never installing them.
#include <libdeflate.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "net/replication/bootstrapper.h"
#include "net/replication/replication_wire.h"
#include "net/replication/snapshot_wire.h"
#include "tests/net/http_test_support.h"

namespace logbook::net::replication {
namespace {

SnapshotTransfer Transfer() {
  SnapshotTransfer transfer;
  transfer.offset = 41;
  transfer.cursors = {{"b", "identity-b", 42}, {"c", "identity-c", 17}};
  transfer.snapshot = "LBSN pretend snapshot bytes";
  return transfer;
}

const SnapshotFrame kFrame{"b", "identity-b", 41};

TEST(SnapshotWire, RoundTripsTheSnapshotAndItsCursors) {
  absl::StatusOr<SnapshotTransfer> decoded =
      DecodeSnapshotTransfer(kFrame, EncodeSnapshotTransfer(Transfer()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, Transfer());
}

TEST(SnapshotWire, RefusesABadChecksum) {
  std::string body = EncodeSnapshotTransfer(Transfer());
  body[body.size() / 2] ^= 0x01;
  absl::StatusOr<SnapshotTransfer> decoded = DecodeSnapshotTransfer(kFrame, body);
  ASSERT_TRUE(absl::IsDataLoss(decoded.status())) << decoded.status();
  EXPECT_NE(decoded.status().message().find("checksum"), std::string::npos);
}

TEST(SnapshotWire, RefusesATruncatedBody) {
  const std::string body = EncodeSnapshotTransfer(Transfer());
  for (std::size_t length : {std::size_t{0}, std::size_t{10}, body.size() - 1}) {
    absl::StatusOr<SnapshotTransfer> decoded =
        DecodeSnapshotTransfer(kFrame, std::string_view(body).substr(0, length));
    EXPECT_TRUE(absl::IsDataLoss(decoded.status())) << length << ": " << decoded.status();
  }
}

TEST(SnapshotWire, RefusesAnOffsetOtherThanTheHeaders) {
  SnapshotFrame frame = kFrame;
  frame.offset = 40;
  absl::StatusOr<SnapshotTransfer> decoded =
      DecodeSnapshotTransfer(frame, EncodeSnapshotTransfer(Transfer()));
  ASSERT_TRUE(absl::IsInvalidArgument(decoded.status())) << decoded.status();
  EXPECT_NE(decoded.status().message().find("offset 41"), std::string::npos);
}

TEST(SnapshotWire, RefusesAWrongCursorForTheServingNode) {
  SnapshotTransfer transfer = Transfer();
  transfer.cursors[0].next_offset = 41;  // must be offset + 1
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeSnapshotTransfer(kFrame, EncodeSnapshotTransfer(transfer)).status()));
  transfer = Transfer();
  transfer.cursors[0].peer_log_identity = "another-history";
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeSnapshotTransfer(kFrame, EncodeSnapshotTransfer(transfer)).status()));
  transfer = Transfer();
  transfer.cursors.push_back({"c", "identity-c", 18});  // one origin twice
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeSnapshotTransfer(kFrame, EncodeSnapshotTransfer(transfer)).status()));
}

TEST(SnapshotWire, RefusesAnUnknownVersion) {
  std::string body = EncodeSnapshotTransfer(Transfer());
  body[4] = 2;
  // Re-seal it, so that only the version is wrong.
  body.resize(body.size() - 4);
  const std::string resealed = [&] {
    std::string copy = body;
    const std::uint32_t crc = libdeflate_crc32(0, copy.data(), copy.size());
    for (int shift = 24; shift >= 0; shift -= 8) copy.push_back(static_cast<char>(crc >> shift));
    return copy;
  }();
  EXPECT_TRUE(absl::IsInvalidArgument(DecodeSnapshotTransfer(kFrame, resealed).status()));
}

// A fake peer that answers a scripted sequence of snapshot answers.
struct ScriptedPeer {
  std::vector<HttpResponse> answers;
  std::atomic<std::size_t> asked{0};

  HttpHandler Handler() {
    return [this](HttpRequest&& request, Responder responder) {
      if (request.path != "/logbook/v1/replication/snapshot") {
        HttpResponse missing;
        missing.status = 404;
        return std::move(responder)(std::move(missing));
      }
      const std::size_t index = std::min(asked.fetch_add(1), answers.size() - 1);
      std::move(responder)(answers[index]);
    };
  }
};

HttpResponse Answer(const SnapshotTransfer& transfer, std::string body) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  response.SetHeader("Content-Type", std::string(kSnapshotContentType));
  response.SetHeader(std::string(kNodeIdHeader), "b");
  response.SetHeader(std::string(kLogIdentityHeader), "identity-b");
  response.SetHeader(std::string(kSnapshotOffsetHeader), std::to_string(transfer.offset));
  return response;
}

// Bound and closed again: connecting to it is refused.
int PortNobodyListensOn() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

BootstrapOptions FastRetries() {
  BootstrapOptions options;
  options.backoff_initial_ms = 1;
  options.backoff_max_ms = 5;
  options.read_timeout_ms = 5000;
  return options;
}

TEST(Bootstrapper, RetriesPastDamagedAnswersUntilAValidOne) {
  const SnapshotTransfer good = Transfer();
  std::string damaged = EncodeSnapshotTransfer(good);
  damaged[7] ^= 0x10;
  const std::string whole = EncodeSnapshotTransfer(good);
  SnapshotTransfer other_offset = good;
  other_offset.offset = 40;
  other_offset.cursors[0].next_offset = 41;
  ScriptedPeer peer;
  peer.answers = {Answer(good, damaged),                          // bad checksum
                  Answer(good, whole.substr(0, whole.size() / 2)),  // truncated
                  Answer(good, EncodeSnapshotTransfer(other_offset)),  // wrong offset
                  Answer(good, whole)};
  net::testing::TestServer server;
  server.Start(peer.Handler());

  std::vector<core::Offset> validated;
  Bootstrapper bootstrapper({"http://127.0.0.1:" + std::to_string(server.port())}, "a",
                            [&](std::string_view snapshot, core::Offset offset) {
                              EXPECT_EQ(snapshot, good.snapshot);
                              validated.push_back(offset);
                              return absl::OkStatus();
                            },
                            FastRetries(), 7);
  absl::StatusOr<std::optional<FetchedSnapshot>> fetched = bootstrapper.Run();
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  ASSERT_TRUE(fetched->has_value());
  EXPECT_EQ((*fetched)->transfer, good);
  EXPECT_EQ((*fetched)->node_id, "b");
  EXPECT_EQ(peer.asked.load(), 4u);
  // Only the intact answer reached the snapshot check.
  EXPECT_EQ(validated, std::vector<core::Offset>{41});
}

TEST(Bootstrapper, RetriesWhenTheSnapshotItselfDoesNotDecode) {
  const SnapshotTransfer good = Transfer();
  ScriptedPeer peer;
  peer.answers = {Answer(good, EncodeSnapshotTransfer(good))};
  net::testing::TestServer server;
  server.Start(peer.Handler());
  std::atomic<int> checks{0};
  Bootstrapper bootstrapper({"http://127.0.0.1:" + std::to_string(server.port())}, "a",
                            [&](std::string_view, core::Offset) {
                              return ++checks < 3 ? absl::DataLossError("bad snapshot")
                                                  : absl::OkStatus();
                            },
                            FastRetries(), 7);
  absl::StatusOr<std::optional<FetchedSnapshot>> fetched = bootstrapper.Run();
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_TRUE(fetched->has_value());
  EXPECT_EQ(checks.load(), 3);
}

TEST(Bootstrapper, StartsEmptyWhenNoPeerHasAnything) {
  ScriptedPeer empty;
  HttpResponse nothing = Answer(SnapshotTransfer{}, "");
  empty.answers = {nothing};
  ScriptedPeer bootstrapping;
  HttpResponse busy;
  busy.status = 503;
  busy.SetHeader(std::string(kBootstrappingHeader), "true");
  bootstrapping.answers = {busy};
  net::testing::TestServer first;
  first.Start(empty.Handler());
  net::testing::TestServer second;
  second.Start(bootstrapping.Handler());
  const int unused_port = PortNobodyListensOn();
  Bootstrapper bootstrapper(
      {"http://127.0.0.1:" + std::to_string(first.port()),
       "http://127.0.0.1:" + std::to_string(second.port()),
       "http://127.0.0.1:" + std::to_string(unused_port)},
      "a", [](std::string_view, core::Offset) { return absl::OkStatus(); }, FastRetries(), 7);
  absl::StatusOr<std::optional<FetchedSnapshot>> fetched = bootstrapper.Run();
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_FALSE(fetched->has_value());
}

TEST(Bootstrapper, StopInterruptsTheRetries) {
  ScriptedPeer broken;
  HttpResponse error;
  error.status = 500;
  broken.answers = {error};
  net::testing::TestServer server;
  server.Start(broken.Handler());
  BootstrapOptions slow = FastRetries();
  slow.backoff_initial_ms = 60000;
  slow.backoff_max_ms = 60000;
  Bootstrapper bootstrapper({"http://127.0.0.1:" + std::to_string(server.port())}, "a",
                            [](std::string_view, core::Offset) { return absl::OkStatus(); }, slow,
                            7);
  std::thread stopper([&] {
    net::testing::WaitUntil([&] { return broken.asked.load() >= 1; });
    bootstrapper.Stop();
  });
  absl::StatusOr<std::optional<FetchedSnapshot>> fetched = bootstrapper.Run();
  stopper.join();
  EXPECT_TRUE(absl::IsCancelled(fetched.status())) << fetched.status();
}

}  // namespace
}  // namespace logbook::net::replication
