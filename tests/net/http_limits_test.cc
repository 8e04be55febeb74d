// The HTTP server's limits: header and body sizes, header and idle
// timeouts, the connection cap and back-pressure on pipelining clients.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "net/http_server.h"
#include "tests/net/http_test_support.h"

namespace logbook::net {
namespace {

using std::chrono::milliseconds;
using testing::ClientResponse;
using testing::Clock;
using testing::EchoHandler;
using testing::Get;
using testing::TestClient;
using testing::TestServer;
using testing::WaitUntil;

TEST(HttpLimits, OversizedHeaderBlockGets431AndClose) {
  TestServer server;
  server.Start(EchoHandler());  // default max_header_bytes: 64 KiB
  TestClient client(server.port());
  std::string request =
      "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
  client.Send(request);  // may fail part-way once the server has answered
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(
      response->body,
      R"({"error":"request header fields too large","detail":"request header block exceeds 65536 bytes"})");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(server.Stats().requests, 0u);
}

TEST(HttpLimits, ManySmallHeadersAlsoCountTowardTheLimit) {
  TestServer server;
  HttpLimits limits;
  limits.max_header_bytes = 1024;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  std::string headers;
  for (int i = 0; i < 300; ++i) headers += "A:\r\n";
  client.Send(Get("/", headers));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
}

TEST(HttpLimits, AnnouncedOversizedBodyGets413BeforeTheBodyIsSent) {
  TestServer server;
  server.Start(EchoHandler());  // default max_body_bytes: 1 MiB
  TestClient client(server.port());
  ASSERT_TRUE(
      client.Send("POST /eureka/apps/A HTTP/1.1\r\nHost: t\r\nContent-Length: 2097152\r\n\r\n"));
  // Not one body byte sent: the answer must not wait for it.
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(
      response->body,
      R"({"error":"payload too large","detail":"request body of 2097152 bytes exceeds the limit of 1048576 bytes"})");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpLimits, BodyAtTheLimitIsAccepted) {
  TestServer server;
  HttpLimits limits;
  limits.max_body_bytes = 1000;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  ASSERT_TRUE(
      client.Send("POST /b HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b')));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(HttpLimits, OversizedChunkedBodyGets413) {
  TestServer server;
  HttpLimits limits;
  limits.max_body_bytes = 1000;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  std::string chunk(600, 'c');
  // Two chunks of 600: the second one crosses the limit.
  client.Send("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + chunk +
              "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpLimits, HeaderTimeoutClosesASlowLoris) {
  TestServer server;
  HttpLimits limits;
  limits.header_timeout_ms = 200;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  Clock::time_point start = Clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\n"));
  // One header byte every 20 ms: each read is progress, but the head never
  // completes. The deadline covers the whole head, not the gaps.
  bool closed = false;
  while (Clock::now() - start < milliseconds(5000)) {
    if (!client.Send("X")) break;
    if (client.WaitForClose(milliseconds(20))) {
      closed = true;
      break;
    }
  }
  if (!closed) closed = client.WaitForClose(milliseconds(1000));
  auto elapsed = Clock::now() - start;
  EXPECT_TRUE(closed);
  EXPECT_GE(elapsed, milliseconds(150));
  EXPECT_LT(elapsed, milliseconds(3000));
  std::optional<ClientResponse> response = client.ReadResponse();
  if (response.has_value()) {
    EXPECT_EQ(response->status, 408);
  }
}

TEST(HttpLimits, SilentConnectionClosesAfterTheHeaderTimeout) {
  TestServer server;
  HttpLimits limits;
  limits.header_timeout_ms = 100;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  Clock::time_point start = Clock::now();
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
  EXPECT_GE(Clock::now() - start, milliseconds(80));
  EXPECT_TRUE(client.unread().empty());  // nobody asked, nobody answered
}

// The timer armed for an earlier head is not restarted when the next head
// starts; it re-arms for the rest when it fires. The deadline still counts
// from the slow head's own start, not from the earlier one.
TEST(HttpLimits, ASlowHeadGetsTheWholeTimeoutFromItsOwnStart) {
  TestServer server;
  HttpLimits limits;
  limits.header_timeout_ms = 400;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/t")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  std::this_thread::sleep_for(milliseconds(250));  // the first deadline is 150 ms away
  const Clock::time_point head_start = Clock::now();
  ASSERT_TRUE(client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n"));
  std::optional<ClientResponse> response = client.ReadResponse(false, milliseconds(3000));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 408);
  EXPECT_GE(Clock::now() - head_start, milliseconds(300));
}

TEST(HttpLimits, HeaderTimeoutRestartsForEachRequest) {
  TestServer server;
  HttpLimits limits;
  limits.header_timeout_ms = 300;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  // Three requests over ~600 ms on one connection: each head is quick, so
  // none trips the 300 ms deadline even though the connection outlives it.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(Get("/t")));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->status, 200);
    std::this_thread::sleep_for(milliseconds(200));  // scenario, not sync
  }
}

TEST(HttpLimits, IdleTimeoutClosesAKeepAliveConnection) {
  TestServer server;
  HttpLimits limits;
  limits.idle_timeout_ms = 200;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  Clock::time_point start = Clock::now();
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
  EXPECT_GE(Clock::now() - start, milliseconds(150));
  EXPECT_TRUE(WaitUntil([&] { return server.Stats().connections_open == 0; }));
}

// The idle deadline moves with each exchange (the timer is not restarted
// for each one but re-armed for the rest when it fires early): a connection
// used more often than the timeout outlives it, then closes once idle.
TEST(HttpLimits, IdleTimeoutCountsFromTheLastExchange) {
  TestServer server;
  HttpLimits limits;
  limits.idle_timeout_ms = 300;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  const Clock::time_point start = Clock::now();
  Clock::time_point last;  // the last response read
  while (Clock::now() - start < milliseconds(900)) {
    ASSERT_TRUE(client.Send(Get("/")));
    ASSERT_TRUE(client.ReadResponse().has_value()) << "closed while in use";
    last = Clock::now();
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(client.WaitForClose(milliseconds(3000)));
  EXPECT_GE(Clock::now() - last, milliseconds(150));
}

TEST(HttpLimits, IdleTimeoutDoesNotCutAHandlerThatIsStillWorking) {
  Responder held;  // loop thread only
  TestServer server;
  server.AtTeardown([&] { held = nullptr; });
  HttpLimits limits;
  limits.idle_timeout_ms = 100;
  server.Start([&](HttpRequest&&, Responder respond) { held = std::move(respond); }, limits);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/long-poll")));
  // Well past the idle timeout while the handler holds the request.
  std::this_thread::sleep_for(milliseconds(400));
  server.RunOnLoop([&] {
    HttpResponse response;
    response.body = "late but welcome";
    std::move(held)(std::move(response));
  });
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "late but welcome");
}

TEST(HttpLimits, StalledBodyUploadTimesOut) {
  TestServer server;
  HttpLimits limits;
  limits.idle_timeout_ms = 200;
  server.Start(EchoHandler(), limits);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send("POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
  std::optional<ClientResponse> response = client.ReadResponse(false, milliseconds(3000));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpLimits, ConnectionsBeyondTheCapAreRefusedWith503AndCounted) {
  TestServer server;
  HttpLimits limits;
  limits.max_connections = 2;
  server.Start(EchoHandler(), limits);
  auto a = std::make_unique<TestClient>(server.port());
  TestClient b(server.port());
  for (TestClient* client : {a.get(), &b}) {
    ASSERT_TRUE(client->Send(Get("/")));
    ASSERT_TRUE(client->ReadResponse().has_value());
  }
  TestClient third(server.port());
  EXPECT_TRUE(third.WaitForClose());
  std::optional<ClientResponse> refusal = third.ReadResponse();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 503);
  EXPECT_EQ(refusal->Header("Connection"), "close");
  EXPECT_NE(refusal->body.find("too many connections"), std::string::npos) << refusal->body;
  EXPECT_NE(refusal->body.find("logbook.http.max-connections"), std::string::npos);
  HttpServerStats stats = server.Stats();
  EXPECT_EQ(stats.connections_rejected, 1u);
  EXPECT_EQ(stats.connections_accepted, 2u);
  EXPECT_EQ(stats.connections_open, 2u);

  // A freed slot is usable again.
  a.reset();
  ASSERT_TRUE(WaitUntil([&] { return server.Stats().connections_open == 1; }));
  TestClient fourth(server.port());
  ASSERT_TRUE(fourth.Send(Get("/again")));
  std::optional<ClientResponse> response = fourth.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
}

TEST(HttpLimits, PipelinedRequestsBeyondTheQueueLimitWaitUnread) {
  // Loop thread only.
  std::vector<std::pair<std::string, Responder>> held;
  int seen = 0;
  TestServer server;
  server.AtTeardown([&] { held.clear(); });
  HttpLimits limits;
  limits.max_pipelined_requests = 2;
  server.Start(
      [&](HttpRequest&& request, Responder respond) {
        ++seen;
        held.emplace_back(request.path, std::move(respond));
      },
      limits);
  TestClient client(server.port());
  constexpr int kRequests = 10;
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += Get("/q" + std::to_string(i));
  ASSERT_TRUE(client.Send(all));

  auto seen_now = [&] {
    int n = 0;
    server.RunOnLoop([&] { n = seen; });
    return n;
  };
  ASSERT_TRUE(WaitUntil([&] { return seen_now() == 2; }));
  // Give the server a chance to (wrongly) parse more.
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(seen_now(), 2);

  int answered = 0;
  while (answered < kRequests) {
    std::size_t batch = 0;
    ASSERT_TRUE(WaitUntil([&] {
      server.RunOnLoop([&] {
        batch = held.size();
        EXPECT_LE(batch, 2u);
        for (auto& [path, respond] : held) {
          HttpResponse response;
          response.body = path;
          std::move(respond)(std::move(response));
        }
        held.clear();
      });
      return batch > 0;
    }));
    for (std::size_t i = 0; i < batch; ++i, ++answered) {
      std::optional<ClientResponse> response = client.ReadResponse();
      ASSERT_TRUE(response.has_value());
      EXPECT_EQ(response->body, "/q" + std::to_string(answered));
    }
  }
  EXPECT_EQ(seen_now(), kRequests);
}

TEST(HttpLimits, UnreadResponsesStopTheServerReading) {
  std::string body(4 * 1024 * 1024, 'r');
  int seen = 0;  // loop thread only
  TestServer server;
  HttpLimits limits;
  limits.max_unsent_bytes = 64 * 1024;
  server.Start(
      [&](HttpRequest&&, Responder respond) {
        ++seen;
        HttpResponse response;
        response.body = body;
        std::move(respond)(std::move(response));
      },
      limits);
  TestClient client(server.port(), /*receive_buffer_bytes=*/64 * 1024);
  constexpr int kRequests = 8;
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += Get("/r");
  ASSERT_TRUE(client.Send(all));
  auto seen_now = [&] {
    int n = 0;
    server.RunOnLoop([&] { n = seen; });
    return n;
  };
  ASSERT_TRUE(WaitUntil([&] { return seen_now() >= 1; }));
  std::this_thread::sleep_for(milliseconds(100));
  // 4 MiB answers cannot all sit in socket buffers: the server must have
  // stopped parsing after one or two.
  EXPECT_LE(seen_now(), 3);
  for (int i = 0; i < kRequests; ++i) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->body.size(), body.size());
  }
  EXPECT_EQ(seen_now(), kRequests);
}

}  // namespace
}  // namespace logbook::net
