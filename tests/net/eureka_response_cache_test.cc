// The response cache compresses big gzip bodies on libuv's thread pool:
// the bytes are those a synchronous compression makes, requests waiting
// meanwhile share one compression and get the version they asked for or a
// newer one, the loop keeps running while it compresses, and a cache
// cleared or destroyed mid-compression neither crashes nor leaks.
#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/response_cache.h"
#include "tests/net/http_test_support.h"
#include "tests/testing/http_client.h"

namespace logbook::net::eureka {
namespace {

// A document well above the synchronous threshold: `parts` parts of
// instance-like text, each different, all stamped with `version`.
DocumentParts Document(std::uint64_t version, int parts = 40) {
  DocumentParts document;
  for (int part = 0; part < parts; ++part) {
    std::string text = "{\"app\":\"APP" + std::to_string(part) +
                       "\",\"version\":" + std::to_string(version) + ",\"instance\":[";
    for (int instance = 0; instance < 40; ++instance) {
      text += "{\"instanceId\":\"i-" + std::to_string(part * 1000 + instance) +
              "\",\"hostName\":\"host-" + std::to_string(instance * 7919 % 1009) +
              ".example.com\",\"status\":\"UP\",\"port\":{\"$\":8080,\"@enabled\":\"true\"}},";
    }
    text += "]}";
    document.push_back(TextPart(std::move(text)));
  }
  return document;
}

std::string PlainOf(std::uint64_t version) { return PlainBody(Document(version)).Flatten(); }

class Loop {
 public:
  Loop() { EXPECT_EQ(uv_loop_init(&loop_), 0); }
  ~Loop() {
    // Every compression completes (or is cancelled) before the loop closes.
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  uv_loop_t* get() { return &loop_; }
  // Runs until no work request is left.
  void RunUntilIdle() { uv_run(&loop_, UV_RUN_DEFAULT); }

 private:
  uv_loop_t loop_;
};

// Holds every pooled compression until released (with a deadline, so a bug
// cannot hang the suite), and counts them.
class Gate {
 public:
  std::function<void()> Hook() {
    return [this] {
      ++entered_;
      released_.WaitForNotificationWithTimeout(absl::Seconds(20));
    };
  }
  void Release() { released_.Notify(); }
  int entered() const { return entered_.load(); }

 private:
  absl::Notification released_;
  std::atomic<int> entered_{0};
};

// Where a parked request's body lands.
struct Answers {
  std::vector<std::optional<SharedBody>> bodies;
  // A waiter for request `index`.
  ResponseCache::Waiter Waiter(std::size_t index) {
    if (bodies.size() <= index) bodies.resize(index + 1);
    return [this, index](SharedBody body) { bodies[index] = std::move(body); };
  }
};

ResponseCache::Waiter Unexpected() {
  return [](SharedBody) { ADD_FAILURE() << "no request should have waited"; };
}

ResponseCacheOptions Pooled(uv_loop_t* loop, Gate* gate = nullptr) {
  ResponseCacheOptions options;
  options.loop = loop;
  if (gate != nullptr) options.before_pooled_compression_for_test = gate->Hook();
  return options;
}

// The gzip body of `version` made synchronously (no loop).
std::string SynchronousGzip(std::uint64_t version) {
  ResponseCache cache;
  return cache
      .Get(
          "apps", version, true, [&](const PartReuse&) { return Document(version); }, Unexpected)
      .Flatten();
}

TEST(ResponseCachePooled, ABigGzipBodyIsCompressedOnThePoolWithTheSameBytes) {
  Loop loop;
  ResponseCache cache(Pooled(loop.get()));
  Answers answers;
  const SharedBody now = cache.Get(
      "apps", 7, true, [](const PartReuse&) { return Document(7); },
      [&] { return answers.Waiter(0); });
  EXPECT_FALSE(now) << "a big body is not compressed on the loop";
  EXPECT_EQ(cache.compressions_in_flight(), 1u);
  loop.RunUntilIdle();
  ASSERT_EQ(answers.bodies.size(), 1u);
  ASSERT_TRUE(answers.bodies[0].has_value());
  const std::string gzip = answers.bodies[0]->Flatten();
  EXPECT_EQ(gzip, SynchronousGzip(7));
  EXPECT_EQ(logbook::testing::Gunzip(gzip), PlainOf(7));
  EXPECT_EQ(cache.pooled_gzip_builds(), 1u);
  EXPECT_EQ(cache.compressions_in_flight(), 0u);
  // Installed: the next request is answered at once with the same body.
  const SharedBody cached = cache.Get(
      "apps", 7, true, [](const PartReuse&) -> DocumentParts { std::abort(); }, Unexpected);
  EXPECT_EQ(cached.Flatten(), gzip);
  EXPECT_EQ(cache.gzip_builds(), 1u);
}

TEST(ResponseCachePooled, ASmallBodyIsCompressedAtOnce) {
  Loop loop;
  ResponseCache cache(Pooled(loop.get()));
  const SharedBody body = cache.Get(
      "app|A", 1, true, [](const PartReuse&) { return DocumentParts{TextPart("{\"a\":1}")}; },
      Unexpected);
  ASSERT_TRUE(body);
  EXPECT_EQ(logbook::testing::Gunzip(body.Flatten()), "{\"a\":1}");
  EXPECT_EQ(cache.pooled_gzip_builds(), 0u);
}

TEST(ResponseCachePooled, RequestsWaitingForOneVersionShareOneCompression) {
  Loop loop;
  Gate gate;
  ResponseCache cache(Pooled(loop.get(), &gate));
  Answers answers;
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_FALSE(cache.Get(
        "apps", 3, true, [](const PartReuse&) { return Document(3); },
        [&] { return answers.Waiter(i); }));
  }
  // Plain requests meanwhile are answered at once.
  EXPECT_EQ(
      cache
          .Get(
              "apps", 3, false, [](const PartReuse&) -> DocumentParts { std::abort(); }, Unexpected)
          .Flatten(),
      PlainOf(3));
  EXPECT_EQ(cache.compressions_in_flight(), 1u);
  gate.Release();
  loop.RunUntilIdle();
  EXPECT_EQ(gate.entered(), 1);
  EXPECT_EQ(cache.pooled_gzip_builds(), 1u);
  ASSERT_EQ(answers.bodies.size(), 10u);
  const std::string expected = SynchronousGzip(3);
  for (const std::optional<SharedBody>& body : answers.bodies) {
    ASSERT_TRUE(body.has_value());
    EXPECT_EQ(body->Flatten(), expected);
  }
}

TEST(ResponseCachePooled, AWaitingRequestGetsItsVersionOrANewerOne) {
  Loop loop;
  Gate gate;
  ResponseCache cache(Pooled(loop.get(), &gate));
  Answers answers;
  // Version 1 goes to the pool (held there); 2 and 3 arrive meanwhile and
  // queue one compression behind it, of the newest version.
  for (std::uint64_t version = 1; version <= 3; ++version) {
    EXPECT_FALSE(cache.Get(
        "apps", version, true, [version](const PartReuse&) { return Document(version); },
        [&] { return answers.Waiter(version - 1); }));
  }
  EXPECT_EQ(cache.compressions_in_flight(), 1u);
  gate.Release();
  loop.RunUntilIdle();
  EXPECT_EQ(gate.entered(), 2);
  EXPECT_EQ(cache.pooled_gzip_builds(), 2u);
  ASSERT_EQ(answers.bodies.size(), 3u);
  for (const std::optional<SharedBody>& body : answers.bodies) ASSERT_TRUE(body.has_value());
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[0]->Flatten()), PlainOf(1));
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[1]->Flatten()), PlainOf(3));
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[2]->Flatten()), PlainOf(3));
  // Version 3 is the entry's gzip body now.
  EXPECT_EQ(
      cache
          .Get(
              "apps", 3, true, [](const PartReuse&) -> DocumentParts { std::abort(); }, Unexpected)
          .Flatten(),
      answers.bodies[2]->Flatten());
}

// The loop is free while a compression runs: a timer fires and other
// requests are served before the (held) compression may finish. Were the
// compression on the loop, the timer could not fire until it had.
TEST(ResponseCachePooled, TheLoopServesOtherRequestsWhileACompressionRuns) {
  Loop loop;
  absl::Notification loop_ran;
  std::atomic<bool> compressed_after_loop_ran{false};
  ResponseCacheOptions options = Pooled(loop.get());
  options.before_pooled_compression_for_test = [&] {
    compressed_after_loop_ran = loop_ran.WaitForNotificationWithTimeout(absl::Seconds(20));
  };
  ResponseCache cache(std::move(options));
  Answers answers;
  EXPECT_FALSE(cache.Get(
      "apps", 1, true, [](const PartReuse&) { return Document(1); },
      [&] { return answers.Waiter(0); }));

  struct TimerContext {
    ResponseCache* cache;
    absl::Notification* loop_ran;
    Answers* answers;
    bool served = false;
  } context{&cache, &loop_ran, &answers};
  uv_timer_t timer;
  ASSERT_EQ(uv_timer_init(loop.get(), &timer), 0);
  timer.data = &context;
  ASSERT_EQ(uv_timer_start(
                &timer,
                [](uv_timer_t* handle) {
                  auto* c = static_cast<TimerContext*>(handle->data);
                  // Not answered yet: the compression waits for this.
                  EXPECT_FALSE(c->answers->bodies[0].has_value());
                  const SharedBody small = c->cache->Get(
                      "app|A", 1, true,
                      [](const PartReuse&) { return DocumentParts{TextPart("{}")}; }, Unexpected);
                  const SharedBody plain = c->cache->Get(
                      "apps", 1, false, [](const PartReuse&) -> DocumentParts { std::abort(); },
                      Unexpected);
                  c->served = small && plain.size() == PlainOf(1).size();
                  c->loop_ran->Notify();
                  uv_close(reinterpret_cast<uv_handle_t*>(handle), nullptr);
                },
                1, 0),
            0);
  loop.RunUntilIdle();
  EXPECT_TRUE(context.served);
  EXPECT_TRUE(compressed_after_loop_ran.load());
  ASSERT_TRUE(answers.bodies[0].has_value());
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[0]->Flatten()), PlainOf(1));
}

TEST(ResponseCachePooled, ClearedMidCompressionStillAnswersTheWaitingRequests) {
  Loop loop;
  Gate gate;
  ResponseCache cache(Pooled(loop.get(), &gate));
  Answers answers;
  EXPECT_FALSE(cache.Get(
      "apps", 5, true, [](const PartReuse&) { return Document(5); },
      [&] { return answers.Waiter(0); }));
  // Version 6 queued behind it, then the registry is replaced: the running
  // and the queued compression still answer their waiters.
  EXPECT_FALSE(cache.Get(
      "apps", 6, true, [](const PartReuse&) { return Document(6); },
      [&] { return answers.Waiter(1); }));
  cache.Clear();
  // The same key again, other contents: its own compression.
  EXPECT_FALSE(cache.Get(
      "apps", 5, true, [](const PartReuse&) { return Document(50); },
      [&] { return answers.Waiter(2); }));
  EXPECT_EQ(cache.compressions_in_flight(), 2u);
  gate.Release();
  loop.RunUntilIdle();
  ASSERT_EQ(answers.bodies.size(), 3u);
  for (const std::optional<SharedBody>& body : answers.bodies) ASSERT_TRUE(body.has_value());
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[0]->Flatten()), PlainOf(5));
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[1]->Flatten()), PlainOf(6));
  EXPECT_EQ(logbook::testing::Gunzip(answers.bodies[2]->Flatten()), PlainOf(50));
  // Only the new entry's body was installed.
  EXPECT_EQ(logbook::testing::Gunzip(
                cache
                    .Get(
                        "apps", 5, true, [](const PartReuse&) -> DocumentParts { std::abort(); },
                        Unexpected)
                    .Flatten()),
            PlainOf(50));
}

// Destroyed while its compression runs (and with one queued behind it): the
// loop still completes the work, the waiters are dropped (not called), and
// nothing leaks (ASan).
TEST(ResponseCachePooled, DestroyedMidCompressionDropsTheWaitersCleanly) {
  Loop loop;
  Gate gate;
  auto token = std::make_shared<int>(0);
  int called = 0;
  auto waiter = [&]() -> ResponseCache::Waiter {
    return [&called, token](SharedBody) { ++called; };
  };
  {
    ResponseCache cache(Pooled(loop.get(), &gate));
    EXPECT_FALSE(cache.Get(
        "apps", 1, true, [](const PartReuse&) { return Document(1); }, waiter));
    EXPECT_FALSE(cache.Get(
        "apps", 2, true, [](const PartReuse&) { return Document(2); }, waiter));
    ASSERT_TRUE(logbook::net::testing::WaitUntil([&] { return gate.entered() == 1; },
                                                 std::chrono::milliseconds(20000)));
  }
  gate.Release();
  loop.RunUntilIdle();
  EXPECT_EQ(called, 0);
  EXPECT_EQ(token.use_count(), 1) << "every waiter was destroyed";
}

// Queued on the pool but not yet running when the cache goes: cancelled.
TEST(ResponseCachePooled, DestroyedBeforeTheCompressionStartsCancelsIt) {
  Loop loop;
  Gate blockers;
  // Occupy every pool thread (libuv's default is 4; UV_THREADPOOL_SIZE may
  // say otherwise) so that the cache's work stays queued.
  const char* size_env = std::getenv("UV_THREADPOOL_SIZE");
  const int pool_threads = size_env != nullptr ? std::atoi(size_env) : 4;
  std::vector<std::unique_ptr<uv_work_t>> blocking(static_cast<std::size_t>(pool_threads));
  for (auto& work : blocking) {
    work = std::make_unique<uv_work_t>();
    work->data = &blockers;
    ASSERT_EQ(
        uv_queue_work(
            loop.get(), work.get(), [](uv_work_t* w) { static_cast<Gate*>(w->data)->Hook()(); },
            [](uv_work_t*, int) {}),
        0);
  }
  ASSERT_TRUE(logbook::net::testing::WaitUntil([&] { return blockers.entered() == pool_threads; },
                                               std::chrono::milliseconds(20000)));
  Gate gate;
  int called = 0;
  {
    ResponseCache cache(Pooled(loop.get(), &gate));
    EXPECT_FALSE(cache.Get(
        "apps", 1, true, [](const PartReuse&) { return Document(1); },
        [&]() -> ResponseCache::Waiter { return [&called](SharedBody) { ++called; }; }));
  }
  blockers.Release();
  gate.Release();
  loop.RunUntilIdle();
  EXPECT_EQ(gate.entered(), 0) << "the cancelled compression never ran";
  EXPECT_EQ(called, 0);
}

}  // namespace
}  // namespace logbook::net::eureka
