// The HTTP layer's own allocations on a steady keep-alive connection: the
// parser reuses its request's buffers, a Responder holds its callable
// inline, and small replies are written from the connection's own buffer.
// Whatever a handler allocates is its own business; this handler allocates
// nothing, so every allocation counted here is the server's.
//
// Counts every operator new made on the loop thread (tests/testing/counting_new,
// linked into net_tests).
#include <atomic>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "net/logger.h"
#include "net/request_observer.h"
#include "tests/net/http_test_support.h"
#include "tests/testing/counting_new/counting_new.h"

namespace logbook::net {
namespace {

using testing::TestClient;
using testing::TestServer;

std::atomic<char> loop_sink{0};  // keeps the sanity allocation below observable

// What a renewal looks like on the wire (Accept's value is one byte past
// std::string's inline buffer, so a fresh copy of it would allocate).
constexpr std::string_view kRenew =
    "PUT /eureka/apps/ORDERS-SERVICE/orders-service-0001.example.internal HTTP/1.1\r\n"
    "Host: 127.0.0.1:8761\r\nAccept: application/json\r\nContent-Length: 0\r\n"
    "User-Agent: Java-EurekaClient/v1.10.17\r\n\r\n";

// Loop-thread allocations per request over 400 keep-alive renewals, after
// 50 that let the buffers reach their steady size; a negative value when an
// exchange failed (the failure is reported).
double LoopAllocationsPerRenewal(TestClient& client) {
  const auto exchange = [&](int count) {
    for (int i = 0; i < count; ++i) {
      if (!client.Send(kRenew)) {
        ADD_FAILURE() << "send failed";
        return false;
      }
      std::optional<testing::ClientResponse> response = client.ReadResponse();
      EXPECT_TRUE(response.has_value());
      if (!response.has_value()) return false;
      EXPECT_EQ(response->status, 200);
    }
    return true;
  };
  if (!exchange(50)) return -1;
  constexpr int kRequests = 400;
  logbook::testing::ResetCountedAllocations();
  if (!exchange(kRequests)) return -1;
  return static_cast<double>(logbook::testing::CountedAllocations()) / kRequests;
}

TEST(HttpAllocation, SteadyKeepAliveRequestsAllocateAlmostNothing) {
  TestServer server;
  server.Start([](HttpRequest&&, Responder respond) {
    HttpResponse response;  // 200, no headers, no body: allocates nothing
    std::move(respond)(std::move(response));
  });
  server.RunOnLoop([] { logbook::testing::CountAllocationsOnThisThread(true); });
  // The counter does see the loop thread's allocations (else the bound below
  // would hold vacuously).
  logbook::testing::ResetCountedAllocations();
  server.RunOnLoop([] {
    const std::string allocated(1000, 'x');
    loop_sink.store(allocated.back());
  });
  ASSERT_GE(logbook::testing::CountedAllocations(), 1u);
  TestClient client(server.port());

  // The response queue (a std::deque) takes a new block every few
  // requests; everything else is reused (67 for 400 requests when written;
  // before the reuse, each request cost about ten).
  const double per_request = LoopAllocationsPerRenewal(client);
  EXPECT_GE(per_request, 0);
  EXPECT_LT(per_request, 0.5) << per_request << " allocations per request";
}

// The node's handler wraps every responder to count and time the exchange
// (net/request_observer.h): the wrapper, too big for a Responder's inline
// storage, is pooled, so it adds no allocation per request.
TEST(HttpAllocation, AnObservedResponderAllocatesNothingPerRequest) {
  Logger logger(LogLevel::kError);
  RequestObserver observer(logger, RequestObserverOptions{});
  TestServer server;
  server.Start([&observer](HttpRequest&& request, Responder respond) {
    Responder observed = observer.Observe("renew", request, std::move(respond));
    std::move(observed)(HttpResponse{});
  });
  server.RunOnLoop([] { logbook::testing::CountAllocationsOnThisThread(true); });
  TestClient client(server.port());
  // As the unobserved test above: the response queue's blocks only (one per
  // request before the wrapper was pooled).
  const double per_request = LoopAllocationsPerRenewal(client);
  EXPECT_GE(per_request, 0);
  EXPECT_LT(per_request, 0.5) << per_request << " allocations per request";
}

}  // namespace
}  // namespace logbook::net
