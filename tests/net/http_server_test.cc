// The HTTP server end to end over 127.0.0.1: requests, keep-alive,
// pipelining order, late responders and graceful shutdown.
#include "net/http_server.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/listening_socket.h"
#include "net/shared_body.h"
#include "tests/net/http_test_support.h"

namespace logbook::net {
namespace {

using testing::ClientResponse;
using testing::EchoHandler;
using testing::Get;
using testing::TestClient;
using testing::TestServer;
using testing::WaitUntil;

TEST(HttpServer, ListenOnPortZeroPicksAPort) {
  TestServer server;
  server.Start(EchoHandler());
  EXPECT_GT(server.port(), 0);
}

TEST(HttpServer, ListenRejectsAHostName) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    HttpServer server(&loop, HttpLimits(), EchoHandler());
    absl::Status status = server.Listen("example.invalid", 0);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(HttpServer, ListenOnABusyPortFails) {
  TestServer first;
  first.Start(EchoHandler());
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    HttpServer server(&loop, HttpLimits(), EchoHandler());
    absl::Status status = server.Listen("127.0.0.1", first.port());
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // the failed listener's close callback
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(HttpServer, AListeningSocketPassesToTheNextServerWithoutRefusingConnections) {
  absl::StatusOr<ListeningSocket> socket = ListeningSocket::Open("127.0.0.1", 0);
  ASSERT_TRUE(socket.ok()) << socket.status();
  {
    TestServer first;
    first.StartOn(*socket, [](HttpRequest&&, Responder respond) {
      HttpResponse unavailable;
      unavailable.status = 503;
      std::move(respond)(std::move(unavailable));
    });
    TestClient client(socket->port());
    ASSERT_TRUE(client.Send(Get("/a")));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 503);
  }
  // No server accepts now, yet the port is open: this connection (the
  // client's constructor dies on a refused connect) waits in the backlog
  // and the next server answers it.
  TestClient waiting(socket->port());
  ASSERT_TRUE(waiting.Send(Get("/b")));
  TestServer second;
  second.StartOn(*socket, EchoHandler());
  std::optional<ClientResponse> response = waiting.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body.substr(0, 6), "GET /b");
}

TEST(HttpServer, GetIsAnsweredWithTheHandlersResponse) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/eureka/apps/A%20B?x=1&y=%20")));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /eureka/apps/A B?x=1&y=%20\n");
  EXPECT_EQ(response->Header("Content-Length"), "31");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_TRUE(response->HasHeader("Date"));
  EXPECT_FALSE(response->HasHeader("Connection"));
}

TEST(HttpServer, PostBodyReachesTheHandler) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(
      client.Send("POST /eureka/apps/APP HTTP/1.1\r\nHost: t\r\nContent-Type: "
                  "application/json\r\nContent-Length: 13\r\n\r\n{\"a\": \"b\"}xy"
                  "z"));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /eureka/apps/APP?\n{\"a\": \"b\"}xyz");
}

TEST(HttpServer, RequestHeadersReachTheHandler) {
  std::string accept;  // loop thread, read after the response
  TestServer server;
  server.Start([&](HttpRequest&& request, Responder respond) {
    accept = std::string(request.Header("accept"));
    HttpResponse response;
    response.status = 204;
    std::move(respond)(std::move(response));
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/", "ACCEPT: application/xml\r\nX-Empty:\r\n")));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 204);
  EXPECT_FALSE(response->HasHeader("Content-Length"));
  EXPECT_EQ(accept, "application/xml");
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    std::string path = "/r" + std::to_string(i);
    ASSERT_TRUE(client.Send(Get(path)));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->body, "GET " + path + "?\n");
  }
  HttpServerStats stats = server.Stats();
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.connections_open, 1u);
  EXPECT_EQ(stats.requests, 5u);
  EXPECT_GT(stats.bytes_in, 0u);
  EXPECT_GT(stats.bytes_out, 0u);
}

TEST(HttpServer, ConnectionCloseIsHonouredAfterTheResponse) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  // The second request comes after "Connection: close" and must be ignored.
  ASSERT_TRUE(client.Send(Get("/a", "Connection: close\r\n") + Get("/b")));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "GET /a?\n");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_TRUE(client.unread().empty());
  client.Close();
  EXPECT_TRUE(WaitUntil([&] { return server.Stats().connections_open == 0; }));
  EXPECT_EQ(server.Stats().requests, 1u);
}

TEST(HttpServer, Http10ClosesUnlessKeepAliveIsAsked) {
  TestServer server;
  server.Start(EchoHandler());
  {
    TestClient client(server.port());
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->Header("Connection"), "close");
    EXPECT_TRUE(client.WaitForClose());
  }
  TestClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->Header("Connection"), "keep-alive");
  }
}

TEST(HttpServer, HeadResponseHasLengthButNoBody) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/g")));
  std::optional<ClientResponse> head = client.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("Content-Length"), "9");  // "HEAD /h?\n", not sent
  std::optional<ClientResponse> get = client.ReadResponse();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->body, "GET /g?\n");
}

TEST(HttpServer, ChunkedRequestBodyIsReassembled) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(
      client.Send("PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"));
  ASSERT_TRUE(client.Send("lo\r\n6;ext=1\r\n world\r\n"));
  ASSERT_TRUE(client.Send("0\r\nTrailer-Field: x\r\n\r\n"));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "PUT /c?\nhello world");
}

TEST(HttpServer, ExpectContinueGetsAnInterimResponse) {
  TestServer server;
  server.Start(EchoHandler());
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(
      "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  std::optional<ClientResponse> interim = client.ReadResponse();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("body"));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "POST /e?\nbody");
}

TEST(HttpServer, LargeResponseArrivesWhole) {
  std::string big(8 * 1024 * 1024 + 17, 'x');
  TestServer server;
  server.Start([&](HttpRequest&&, Responder respond) {
    HttpResponse response;
    response.body = big;
    std::move(respond)(std::move(response));
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/big") + Get("/big")));
  for (int i = 0; i < 2; ++i) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body.size(), big.size());
  }
}

// Cached bodies: shared, some backed by a memfd and sent with sendfile(),
// some ropes of many slices, the rest of a partial send queued from memory. Bytes vary with
// position so a skipped or repeated stretch shows.
TEST(HttpServer, SharedAndFileBackedBodiesArriveWholeAndInOrder) {
  std::string big(6 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + (i * 7919) % 26);
  const SharedBody file_backed = MakeSharedBody(big, /*file_backed=*/true);
  ASSERT_GE(file_backed.fd(), 0);
  const std::string small = "small shared body";
  const SharedBody memory_only = MakeSharedBody(small, /*file_backed=*/false);
  // A rope of many slices (more than IOV_MAX, so more than one writev) over
  // a few owners, as a cached document over its fragments is.
  std::string many_expected;
  SharedBodyBuilder many_builder;
  {
    std::vector<std::shared_ptr<const std::string>> owners;
    for (int i = 0; i < 5000; ++i) {
      if (i % 100 == 0) owners.push_back(std::make_shared<const std::string>(big.substr(i, 1000)));
      const std::string_view slice = std::string_view(*owners.back()).substr(i % 100, 1 + i % 700);
      many_builder.Append(slice, owners.back());
      many_expected.append(slice);
    }
  }  // the body alone keeps its owners alive
  const SharedBody many = std::move(many_builder).Build();
  ASSERT_EQ(many.size(), many_expected.size());
  TestServer server;
  server.Start([&](HttpRequest&& request, Responder respond) {
    HttpResponse response;
    response.shared_body = request.path == "/big"    ? file_backed
                           : request.path == "/many" ? many
                                                     : memory_only;
    std::move(respond)(std::move(response));
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/big") + Get("/small") + Get("/many") + Get("/big") + Get("/many") +
                          Get("/big")));
  const std::string* const large = &big;
  const std::string* const many_bytes = &many_expected;
  for (const std::string* expected :
       {large, &small, many_bytes, large, many_bytes, large}) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    ASSERT_EQ(response->body.size(), expected->size());
    EXPECT_TRUE(response->body == *expected);
  }
}

// Handler state shared with the test; touched on the loop thread only.
struct Held {
  std::vector<std::pair<std::string, Responder>> responders;
};

HttpResponse TextResponse(std::string body) {
  HttpResponse response;
  response.body = std::move(body);
  return response;
}

TEST(HttpServer, PipelinedResponsesLeaveInRequestOrder) {
  Responder first;  // loop thread only
  TestServer server;
  server.AtTeardown([&] { first = nullptr; });
  server.Start([&](HttpRequest&& request, Responder respond) {
    if (request.path == "/1") {
      first = std::move(respond);
      return;
    }
    std::move(respond)(TextResponse("answer " + request.path));
    if (request.path == "/3") {
      // Answer /1 last, on a later loop turn, after /2 and /3.
      server.mailbox().Post([&] { std::move(first)(TextResponse("answer /1")); });
    }
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/1") + Get("/2") + Get("/3")));
  for (std::string expected : {"answer /1", "answer /2", "answer /3"}) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << expected;
    EXPECT_EQ(response->body, expected);
  }
}

TEST(HttpServer, ManyPipelinedRequestsAnsweredInReverseStayInOrder) {
  Held held;
  TestServer server;
  server.AtTeardown([&] { held.responders.clear(); });
  constexpr int kRequests = 50;
  server.Start([&](HttpRequest&& request, Responder respond) {
    held.responders.emplace_back(request.path, std::move(respond));
    if (held.responders.size() == kRequests) {
      for (auto it = held.responders.rbegin(); it != held.responders.rend(); ++it) {
        std::move(it->second)(TextResponse(it->first));
      }
      held.responders.clear();
    }
  });
  TestClient client(server.port());
  std::string all;
  for (int i = 0; i < kRequests; ++i) all += Get("/p" + std::to_string(i));
  // Split awkwardly so requests straddle reads.
  for (std::size_t at = 0; at < all.size(); at += 37) {
    ASSERT_TRUE(client.Send(std::string_view(all).substr(at, 37)));
  }
  for (int i = 0; i < kRequests; ++i) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->body, "/p" + std::to_string(i));
  }
}

TEST(HttpServer, ResponderFiringAfterTheClientResetIsHarmless) {
  Held held;
  TestServer server;
  server.AtTeardown([&] { held.responders.clear(); });
  server.Start([&](HttpRequest&& request, Responder respond) {
    held.responders.emplace_back(request.path, std::move(respond));
  });
  auto client = std::make_unique<TestClient>(server.port());
  ASSERT_TRUE(client->Send(Get("/late") + Get("/dropped")));
  ASSERT_TRUE(WaitUntil([&] {
    std::size_t n = 0;
    server.RunOnLoop([&] { n = held.responders.size(); });
    return n == 2;
  }));
  client->Reset();
  ASSERT_TRUE(WaitUntil([&] { return server.Stats().connections_open == 0; }));
  server.RunOnLoop([&] {
    std::move(held.responders[0].second)(TextResponse("too late"));
    held.responders.clear();  // the other one is dropped unanswered
  });
  // The server still works.
  TestClient next(server.port());
  ASSERT_TRUE(next.Send(Get("/x")));
  ASSERT_TRUE(WaitUntil([&] {
    std::size_t n = 0;
    server.RunOnLoop([&] { n = held.responders.size(); });
    return n == 1;
  }));
  server.RunOnLoop([&] {
    std::move(held.responders[0].second)(TextResponse("fine"));
    held.responders.clear();
  });
  std::optional<ClientResponse> response = next.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "fine");
}

TEST(HttpServer, ResponderFiringAfterAHalfCloseStillAnswers) {
  Held held;
  TestServer server;
  server.AtTeardown([&] { held.responders.clear(); });
  server.Start([&](HttpRequest&& request, Responder respond) {
    held.responders.emplace_back(request.path, std::move(respond));
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/half")));
  client.ShutdownWrite();
  ASSERT_TRUE(WaitUntil([&] {
    std::size_t n = 0;
    server.RunOnLoop([&] { n = held.responders.size(); });
    return n == 1;
  }));
  server.RunOnLoop([&] {
    std::move(held.responders[0].second)(TextResponse("after eof"));
    held.responders.clear();
  });
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "after eof");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose());
}

TEST(HttpServer, DroppedResponderAnswers500) {
  TestServer server;
  server.Start([](HttpRequest&&, Responder respond) {
    Responder dropped = std::move(respond);  // destroyed unanswered
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/drop") + Get("/drop")));
  for (int i = 0; i < 2; ++i) {
    std::optional<ClientResponse> response = client.ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(response->Header("Content-Type"), "application/json");
    EXPECT_EQ(response->body,
              R"({"error":"internal server error","detail":"the handler dropped the request"})");
  }
}

TEST(HttpServer, InvalidHandlerStatusBecomes500) {
  TestServer server;
  server.Start([](HttpRequest&&, Responder respond) {
    HttpResponse response;
    response.status = 101;
    std::move(respond)(std::move(response));
  });
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(Get("/")));
  std::optional<ClientResponse> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
}

TEST(HttpServer, ShutdownAnswersInFlightRequestsAndClosesIdleOnes) {
  Held held;
  TestServer server;
  server.AtTeardown([&] { held.responders.clear(); });
  server.Start([&](HttpRequest&& request, Responder respond) {
    if (request.path == "/slow") {
      held.responders.emplace_back(request.path, std::move(respond));
      return;
    }
    std::move(respond)(TextResponse("quick"));
  });
  TestClient idle(server.port());
  ASSERT_TRUE(idle.Send(Get("/quick")));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  TestClient busy(server.port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  ASSERT_TRUE(WaitUntil([&] {
    std::size_t n = 0;
    server.RunOnLoop([&] { n = held.responders.size(); });
    return n == 1;
  }));

  server.StartShutdown();
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_FALSE(server.WaitShutdownDone(std::chrono::milliseconds(50)));
  // New connections are refused once the listener is closed.
  EXPECT_TRUE(WaitUntil([&] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool refused = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0;
    ::close(fd);
    return refused;
  }));

  server.RunOnLoop([&] {
    std::move(held.responders[0].second)(TextResponse("slow answer"));
    held.responders.clear();
  });
  std::optional<ClientResponse> response = busy.ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "slow answer");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(busy.WaitForClose());
  busy.Close();
  EXPECT_TRUE(server.WaitShutdownDone());
}

TEST(HttpServer, ShutdownWithNoConnectionsCompletes) {
  TestServer server;
  server.Start(EchoHandler());
  server.StartShutdown();
  EXPECT_TRUE(server.WaitShutdownDone());
}

}  // namespace
}  // namespace logbook::net
