// The HTTP edge of the real binary (logbook-interface.md, logbook.http.*):
// header and body limits, the header deadline, the connection cap and
// pipelining.
#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class HttpLimits : public NodeTest {};

TEST_F(HttpLimits, OversizedHeaderIsRequestHeaderFieldsTooLarge) {
  const std::string big(70 * 1024, 'x');
  const HttpResult result = http().Get("/healthz", {{"X-Big", big}});
  EXPECT_EQ(result.status, 431);
  // The node still serves others.
  HttpClient fresh(port());
  EXPECT_EQ(fresh.Get("/healthz").status, 200);
}

TEST_F(HttpLimits, OversizedBodyIsRefusedBeforeItIsSent) {
  // Only the head: the answer must come without the 2 MiB body.
  ASSERT_TRUE(http().SendRaw(
      "POST /eureka/v2/apps/ORDERS HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n"));
  const HttpResult result = http().ReadResponse();
  EXPECT_EQ(result.status, 413);
}

TEST_F(HttpLimits, BodyJustUnderTheLimitIsRead) {
  // 1 MiB default: a body of padding JSON under it reaches the handler (400, not 413).
  const std::string body = "{\"instance\":{\"pad\":\"" + std::string(1000 * 1000, 'p') + "\"}}";
  const HttpResult result = http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody, body);
  EXPECT_EQ(result.status, 400) << result.body;
}

class SmallBodyLimit : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.http.max-body-bytes=512"};
  }
};

TEST_F(SmallBodyLimit, ConfiguredBodyLimitApplies) {
  const std::int64_t before = LastOffset();
  Registration registration = R("ORDERS", "o1", "h1", "10.0.0.1");
  registration.metadata = {{"pad", std::string(600, 'p')}};
  const HttpResult result =
      http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody, registration.Json());
  EXPECT_EQ(result.status, 413);
  HttpClient fresh(port());
  EXPECT_EQ(fresh.Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody,
                          R("ORDERS", "o1", "h1", "10.0.0.1").Json())
                .status,
            204);
  EXPECT_EQ(LastOffset(), before + 1);
}

class HeaderTimeout : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.http.header-timeout-ms=300"};
  }
};

TEST_F(HeaderTimeout, SlowLorisConnectionIsClosed) {
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(http().SendRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  EXPECT_TRUE(http().WaitForClose(std::chrono::seconds(5)));
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  EXPECT_GE(elapsed.count(), 250);
}

TEST_F(HeaderTimeout, PromptRequestsAreServed) {
  EXPECT_EQ(http().Get("/healthz").status, 200);
  EXPECT_EQ(http().Get("/readyz").status, 200);
}

class ConnectionCap : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.http.max-connections=2"};
  }
};

TEST_F(ConnectionCap, ConnectionBeyondTheCapIsRefusedWith503) {
  // http() is the first connection; one more fills the cap.
  ASSERT_EQ(http().Get("/healthz").status, 200);
  HttpClient second(port());
  ASSERT_EQ(second.Get("/healthz").status, 200);

  // Beyond it: a 503 that says why, then the close (before any request).
  HttpClient third(port());
  ASSERT_TRUE(third.SendRaw(""));  // connects
  const HttpResult refusal = third.ReadResponse();
  EXPECT_EQ(refusal.status, 503);
  EXPECT_EQ(Json(refusal.body).StringAt("/error"), "too many connections") << refusal.body;
  EXPECT_TRUE(third.WaitForClose(std::chrono::seconds(5)));

  // The cap counts open connections: closing one makes room again.
  second.Close();
  EXPECT_TRUE(Await(
      [&] {
        HttpClient retry(port(), std::chrono::seconds(2));
        return retry.Get("/healthz").status == 200;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(http().Get("/healthz").status, 200);
}

class IdleTimeout : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.http.idle-timeout-ms=300"};
  }
};

TEST_F(IdleTimeout, IdleKeepAliveConnectionIsClosed) {
  ASSERT_EQ(http().Get("/healthz").status, 200);
  EXPECT_TRUE(http().WaitForClose(std::chrono::seconds(5)));
}

TEST_F(IdleTimeout, LongPollIsNotCutByTheIdleTimer) {
  const std::int64_t from = LastOffset() + 1;
  // A fresh connection, so no idle gap precedes the request. The handler is
  // working, not idle: the long-poll ends by its own wait.
  HttpClient client(port());
  const HttpResult result =
      client.Get("/logbook/v1/events?from=" + std::to_string(from) + "&wait_ms=800");
  EXPECT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(Json(result.body).SizeAt("/events"), 0u) << result.body;
}

class Framing : public NodeTest {};

TEST_F(Framing, ChunkedRegistrationBodyIsRead) {
  const std::string body = R("ORDERS", "o1", "h1", "10.0.0.1").Json();
  const std::size_t half = body.size() / 2;
  const auto hex = [](std::size_t n) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%zx", n);
    return std::string(buffer);
  };
  ASSERT_TRUE(http().SendRaw(
      "POST /eureka/v2/apps/ORDERS HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
      hex(half) + "\r\n" + body.substr(0, half) + "\r\n" + hex(body.size() - half) + "\r\n" +
      body.substr(half) + "\r\n0\r\n\r\n"));
  EXPECT_EQ(http().ReadResponse().status, 204);
  EXPECT_EQ(http().Get("/eureka/v2/apps/ORDERS/o1", kAcceptJson).status, 200);
}

TEST_F(Framing, GarbageRequestIsBadRequestAndClosed) {
  ASSERT_TRUE(http().SendRaw("HELLO THERE\r\n\r\n"));
  const HttpResult result = http().ReadResponse();
  EXPECT_EQ(result.status, 400);
  EXPECT_TRUE(Json(result.body).StringAt("/error").has_value()) << result.body;
  EXPECT_TRUE(http().WaitForClose(std::chrono::seconds(5)));
}

TEST_F(Framing, Http10RequestIsAnsweredAndClosed) {
  ASSERT_TRUE(http().SendRaw("GET /healthz HTTP/1.0\r\n\r\n"));
  EXPECT_EQ(http().ReadResponse().status, 200);
  EXPECT_TRUE(http().WaitForClose(std::chrono::seconds(5)));
}

class Pipelining : public NodeTest {};

TEST_F(Pipelining, RequestsInOneWriteAreAnsweredInOrder) {
  const std::string body = R("ORDERS", "o1", "h1", "10.0.0.1").Json();
  // A write (answered once durable), then a read of it, then an instant answer.
  const std::string requests =
      "POST /eureka/v2/apps/ORDERS HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body +
      "GET /eureka/v2/apps/ORDERS/o1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Accept: application/json\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(http().SendRaw(requests));
  const HttpResult first = http().ReadResponse();
  const HttpResult second = http().ReadResponse();
  const HttpResult third = http().ReadResponse();
  EXPECT_EQ(first.status, 204);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(Json(second.body).StringAt("/instance/instanceId"), "o1") << second.body;
  EXPECT_EQ(third.status, 404);
  // The connection stays usable.
  EXPECT_EQ(http().Get("/healthz").status, 200);
}

TEST_F(Pipelining, KeepAliveServesManyRequestsOnOneConnection) {
  for (int i = 0; i < 20; ++i) {
    const HttpResult result = http().Get("/healthz");
    ASSERT_EQ(result.status, 200) << "request " << i;
    ASSERT_NE(result.Header("Connection"), "close");
  }
}

}  // namespace
}  // namespace logbook::e2e
