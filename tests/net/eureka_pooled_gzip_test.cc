// The Eureka API with gzip compression on the loop's thread pool: while the
// full registry's gzip body is being compressed (held there by a test hook),
// the loop answers a renewal and a plain fetch; the parked gzip fetch is
// answered afterwards with a body that gunzips to the plain document.
#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/event_journal.h"
#include "core/registry.h"
#include "net/handlers/eureka_api.h"
#include "net/router.h"
#include "net/write_pipeline.h"
#include "tests/core/core_test_util.h"
#include "tests/net/http_test_support.h"
#include "tests/testing/offset_journal.h"
#include "tests/testing/http_client.h"

namespace logbook::net {
namespace {

constexpr core::TimestampMs kNowMs = 5000;


HttpRequest Request(std::string method, std::string path, bool gzip) {
  HttpRequest request;
  request.method = std::move(method);
  request.path = path;
  request.target = std::move(path);
  request.AddHeader("Accept", "application/json");
  if (gzip) request.AddHeader("Accept-Encoding", "gzip");
  return request;
}

std::string HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(EurekaPooledGzip, TheLoopAnswersARenewalWhileTheRegistryIsCompressed) {
  // 2,000 instances in 20 applications: ~100 KiB per application, far
  // above what is compressed on the loop.
  core::testing::Harness seed;
  for (int i = 0; i < 2000; ++i) {
    seed.Register(core::testing::MakeInstance(absl::StrCat("APP", i % 20), absl::StrCat("i", i)),
                  1000);
  }
  core::Registry registry{core::RegistryOptions{}};
  for (const core::Event& event : seed.log()) registry.Apply(event);
  logbook::testing::OffsetJournal journal(seed.log().back().offset);
  WritePipeline pipeline(registry, journal, journal.last_offset());
  core::ManualClock clock(kNowMs);

  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  absl::Notification release;
  std::atomic<int> compressions{0};
  EurekaApiOptions options;
  options.node_id = "test-node";
  options.compression_loop = &loop;
  options.before_pooled_compression_for_test = [&] {
    ++compressions;
    release.WaitForNotificationWithTimeout(absl::Seconds(20));
  };
  {
    EurekaApi eureka(registry, pipeline, clock, options);
    auto handle = [&](HttpRequest request, std::optional<HttpResponse>* answer) {
      const std::optional<Route> route = MatchRoute(request.path);
      ASSERT_TRUE(route.has_value()) << request.path;
      eureka.Handle(*route, std::move(request),
                    [answer](HttpResponse response) { *answer = std::move(response); });
    };

    std::optional<HttpResponse> gzipped;
    std::optional<HttpResponse> gzipped_again;
    handle(Request("GET", "/eureka/apps", true), &gzipped);
    handle(Request("GET", "/eureka/apps", true), &gzipped_again);
    ASSERT_TRUE(testing::WaitUntil([&] { return compressions.load() == 1; }));
    EXPECT_FALSE(gzipped.has_value()) << "answered before its body was compressed";

    // The loop is not held by the compression: a renewal is decided,
    // committed and answered, and a plain fetch is served.
    std::optional<HttpResponse> renewed;
    handle(Request("PUT", "/eureka/apps/APP1/i1", false), &renewed);
    pipeline.OnDurable(journal.last_offset(), absl::OkStatus());
    ASSERT_TRUE(renewed.has_value());
    EXPECT_EQ(renewed->status, 200);
    std::optional<HttpResponse> plain;
    handle(Request("GET", "/eureka/apps", false), &plain);
    ASSERT_TRUE(plain.has_value());
    EXPECT_EQ(plain->status, 200);
    EXPECT_FALSE(gzipped.has_value());

    release.Notify();
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(compressions.load(), 1) << "one compression for both requests";
    for (const std::optional<HttpResponse>* answer : {&gzipped, &gzipped_again}) {
      ASSERT_TRUE(answer->has_value());
      EXPECT_EQ((*answer)->status, 200);
      EXPECT_EQ(HeaderOf(**answer, "Content-Encoding"), "gzip");
      EXPECT_EQ(logbook::testing::Gunzip((*answer)->shared_body.Flatten()),
                plain->shared_body.Flatten());
    }
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace logbook::net
