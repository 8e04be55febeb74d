#include "net/request_observer.h"

#include <cstdio>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "net/http_message.h"

namespace logbook::net {
namespace {

HttpRequest Request(std::string method, std::string path) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.remote = "127.0.0.1:4242";
  return request;
}

std::string Render(RequestObserver& observer) {
  std::string out;
  MetricsTextWriter writer(&out);
  observer.Collect(writer);
  return out;
}

std::string ReadAll(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, file) != nullptr) text += buffer;
  return text;
}

TEST(RequestObserver, CountsByEndpointAndStatusAndPassesTheResponseOn) {
  Logger logger(LogLevel::kError, stderr);
  RequestObserver observer(logger, {});
  int delivered = 0;
  for (int status : {200, 200, 404}) {
    Responder responder = observer.Observe(
        "apps", Request("GET", "/eureka/apps"),
        [&delivered, status](HttpResponse response) {
          EXPECT_EQ(response.status, status);
          ++delivered;
        });
    HttpResponse response;
    response.status = status;
    std::move(responder)(std::move(response));
  }
  EXPECT_EQ(delivered, 3);
  const std::string text = Render(observer);
  EXPECT_NE(text.find("logbook_http_requests_total{endpoint=\"apps\",code=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("logbook_http_requests_total{endpoint=\"apps\",code=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("logbook_http_request_duration_seconds_count{endpoint=\"apps\"} 3\n"),
            std::string::npos);
}

TEST(RequestObserver, ADroppedResponderCountsAsThe500ItBecomes) {
  Logger logger(LogLevel::kError, stderr);
  RequestObserver observer(logger, {});
  bool inner_destroyed_unanswered = false;
  struct Inner {
    bool* flag;
    bool answered = false;
    explicit Inner(bool* flag) : flag(flag) {}
    Inner(Inner&& other) noexcept : flag(std::exchange(other.flag, nullptr)) {}
    ~Inner() {
      if (flag != nullptr && !answered) *flag = true;
    }
    void operator()(HttpResponse) && { answered = true; }
  };
  { Responder dropped = observer.Observe("instance", Request("PUT", "/x"), Inner(&inner_destroyed_unanswered)); }
  EXPECT_TRUE(inner_destroyed_unanswered);
  EXPECT_NE(Render(observer).find("{endpoint=\"instance\",code=\"500\"} 1\n"), std::string::npos);
}

TEST(RequestObserver, AccessLogAndDebugRejections) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  Logger logger(LogLevel::kDebug, sink);
  RequestObserver observer(logger, {.access_log = true});
  Responder responder =
      observer.Observe("instance", Request("DELETE", "/eureka/apps/A/b"), [](HttpResponse) {});
  HttpResponse response;
  response.status = 404;
  response.body = R"({"error":"not found","detail":"A/b"})";
  std::move(responder)(std::move(response));
  observer.OnConnectionError(431, "request head larger than 1024 bytes", "10.0.0.9:1");
  const std::string text = ReadAll(sink);
  std::fclose(sink);
  EXPECT_NE(text.find("level=info msg=request method=DELETE path=/eureka/apps/A/b status=404 "
                      "bytes=36 duration_us="),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("remote=127.0.0.1:4242 endpoint=instance\n"), std::string::npos) << text;
  EXPECT_NE(text.find("level=debug msg=\"request rejected\" method=DELETE path=/eureka/apps/A/b "
                      "status=404 remote=127.0.0.1:4242 endpoint=instance "
                      "reason=\"{\\\"error\\\":\\\"not found\\\",\\\"detail\\\":\\\"A/b\\\"}\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("level=debug msg=\"request rejected\" status=431 remote=10.0.0.9:1 "
                      "endpoint=connection reason=\"request head larger than 1024 bytes\"\n"),
            std::string::npos)
      << text;
  const std::string metrics = Render(observer);
  EXPECT_NE(metrics.find("{endpoint=\"connection\",code=\"431\"} 1\n"), std::string::npos);
  // No handler time for connection-made answers: no histogram child.
  EXPECT_EQ(metrics.find("duration_seconds_count{endpoint=\"connection\"}"), std::string::npos);
}

TEST(RequestObserver, NothingLoggedByDefaultAtInfo) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  Logger logger(LogLevel::kInfo, sink);
  RequestObserver observer(logger, {});
  Responder responder = observer.Observe("apps", Request("GET", "/eureka/apps"), [](HttpResponse) {});
  HttpResponse response;
  response.status = 500;
  std::move(responder)(std::move(response));
  EXPECT_EQ(ReadAll(sink), "");
  std::fclose(sink);
}

}  // namespace
}  // namespace logbook::net
