// Bad input over real sockets: malformed requests get a JSON 400 and a
// close; seeded random bytes never crash the server (run under ASan).
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/http_server.h"
#include "tests/net/http_test_support.h"

namespace logbook::net {
namespace {

using std::chrono::milliseconds;
using testing::ClientResponse;
using testing::EchoHandler;
using testing::Get;
using testing::TestClient;
using testing::TestServer;

TEST(HttpBadInput, MalformedRequestGets400WithLlhttpsReasonAndClose) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(client.Send("BREW /pot HTTP/1.1\r\n\r\n"));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->body, R"({"error":"bad request","detail":"Invalid method encountered"})");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpBadInput, EveryKindOfMalformedRequestGets400) {
  TestServer server;
  server.Start(EchoHandler());
  for (const char* input : {
           "GET / HTTP/1.1 extra\r\n\r\n",
           "GET / HTTP/9.9\r\n\r\n",
           "GET / HTTP/1.1\r\nNo Colon Here\r\n\r\n",
           "GET / HTTP/1.1\r\n Folded: x\r\n\r\n",
           "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
           "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
           "GET /a%zz HTTP/1.1\r\n\r\n",
           "GET /a%00 HTTP/1.1\r\n\r\n",
           "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
       }) {
    TestClient client(server.port());
    ASSERT_TRUE(client.Send(input));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << input;
    EXPECT_EQ(response->status, 400) << input;
    EXPECT_NE(response->body.find("\"detail\":\""), std::string::npos) << input;
    EXPECT_TRUE(client.WaitForClose()) << input;
  }
}

TEST(HttpBadInput, ErrorAfterPipelinedRequestsComesAfterTheirResponses) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/ok1") + Get("/ok2") + "\x01garbage\r\n\r\n"));
  for (const char* path : {"/ok1", "/ok2"}) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << path;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, std::string("GET ") + path + "?\n");
    EXPECT_FALSE(response->HasHeader("Connection"));
  }
  std::optional<ClientResponse> error = client.ReadResponse();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->status, 400);
  EXPECT_EQ(error->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

// Reads every response until the server closes; false if it never does.
bool DrainUntilClose(TestClient& client, std::vector<int>* statuses) {
  while (true) {
    std::optional<ClientResponse> response = client.ReadResponse(false, milliseconds(5000));
    if (!response.has_value()) break;
    statuses->push_back(response->status);
  }
  return client.WaitForClose(milliseconds(5000));
}

TEST(HttpBadInput, SeededRandomBytesNeverCrashTheServer) {
  TestServer server;
  HttpLimits limits;
  limits.max_header_bytes = 2048;
  limits.max_body_bytes = 1024;
  server.Start(EchoHandler(), limits);
  std::mt19937 rng(7);
  for (int round = 0; round < 150; ++round) {
    std::string input;
    std::size_t length = 1 + rng() % 3000;
    for (std::size_t i = 0; i < length; ++i) input.push_back(static_cast<char>(rng()));
    TestClient client(server.port());
    // Split at random points; the server may close before everything is
    // sent, which is fine.
    for (std::size_t at = 0; at < input.size();) {
      std::size_t piece = 1 + rng() % 512;
      if (!client.Send(std::string_view(input).substr(at, piece))) break;
      at += piece;
    }
    client.ShutdownWrite();
    std::vector<int> statuses;
    ASSERT_TRUE(DrainUntilClose(client, &statuses)) << "round " << round;
    for (int status : statuses) {
      EXPECT_TRUE(status == 400 || status == 413 || status == 431)
          << "round " << round << ": " << status;
    }
  }
  // Still serving.
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/alive")));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(HttpBadInput, SeededMutationsOfValidRequestsNeverCrashTheServer) {
  TestServer server;
  HttpLimits limits;
  limits.max_header_bytes = 2048;
  limits.max_body_bytes = 1024;
  server.Start(EchoHandler(), limits);
  const std::vector<std::string> seeds = {
      Get("/eureka/apps", "Accept: application/json\r\n"),
      "POST /eureka/apps/A HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
      "Content-Length: 11\r\n\r\n{\"a\":\"bcd\"}",
      "PUT /eureka/apps/A/i-1?status=UP HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nwxyz\r\n0\r\n\r\n",
      "DELETE /eureka/apps/A/i-1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  };
  const std::set<int> allowed = {200, 400, 413, 431};
  std::mt19937 rng(11);
  for (int round = 0; round < 300; ++round) {
    std::string input = seeds[rng() % seeds.size()] + seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      std::size_t at = rng() % input.size();
      switch (rng() % 4) {
        case 0:
          input[at] = static_cast<char>(rng());
          break;
        case 1:
          input.erase(at, 1 + rng() % 8);
          break;
        case 2:
          input.insert(at, std::string(1 + rng() % 4, static_cast<char>(rng())));
          break;
        case 3:
          input.insert(at, input.substr(rng() % input.size(), rng() % 64));
          break;
      }
      if (input.empty()) input.assign(1, 'x');  // not = "x": GCC 12 -Wrestrict false positive
    }
    TestClient client(server.port());
    for (std::size_t at = 0; at < input.size();) {
      std::size_t piece = 1 + rng() % 64;
      if (!client.Send(std::string_view(input).substr(at, piece))) break;
      at += piece;
    }
    client.ShutdownWrite();
    std::vector<int> statuses;
    ASSERT_TRUE(DrainUntilClose(client, &statuses)) << "round " << round;
    for (int status : statuses) {
      EXPECT_TRUE(allowed.count(status)) << "round " << round << ": " << status;
    }
  }
  HttpServerStats stats = server.Stats();
  EXPECT_GT(stats.requests, 0u);  // some mutations stay valid
}

}  // namespace
}  // namespace logbook::net
