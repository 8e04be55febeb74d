#pragma once
// Encoded read responses keyed by document and registry version (Part A:
// a read reflects every acknowledged write; no 30 s staleness). A document
// is kept as its parts (document_parts.h): the plain body is a rope over
// them and copies none of their bytes; the gzip body is made once per
// version, on first request, recompressing only the parts that changed
// since the previous version of the same document. Bodies are immutable and
// shared: a reply holds a reference until it is written, so a new version
// can replace an entry while older replies are in flight. Big gzip bodies
// (what clients fetch) are file-backed, for sendfile().
//
// Compression off the loop. Deciding what to compress (which parts
// changed) runs on the loop; compressing them runs on libuv's thread pool
// when it is more than a little work (kSyncCompressMaxBytes in the .cc),
// so a big rebuild never stalls renewals. The loop installs the result and
// answers the waiting requests. Per key at most one compression runs, with
// at most one more queued behind it (for a newer version than the running
// one): however many requests wait, one compression per version.
//
// Which body a waiting request gets: the body of the version that was
// current when it arrived, or of a newer one. A request that arrives while
// its version is being compressed waits for that compression; one that
// arrives while an older version is being compressed waits for the queued
// compression, which is started when the running one completes and then
// compresses the entry's version of that moment (never older than the
// request's). Waiting requests are bounded by the HTTP layer (each
// connection has a bounded number of unanswered requests).
//
// Thread: loop thread only; compression runs on the loop's thread pool.
// The loop must run until every compression it started has completed
// before it is closed (as libuv requires of any work request); a cache
// destroyed meanwhile cancels what it can and drops the waiting requests
// (each then answers 500, or nothing if its connection is gone).
#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/gzip.h"
#include "net/shared_body.h"

namespace logbook::net::eureka {

struct ResponseCacheOptions {
  // Client-chosen names (VIPs, apps) must not grow the cache without bound.
  std::size_t max_entries = 4096;
  // Where big gzip bodies are compressed (its thread pool); null: on the
  // calling thread, always synchronously (fuzzers, micro-benchmarks).
  uv_loop_t* loop = nullptr;
  // Compressions of fewer plain bytes run on the calling thread.
  std::size_t sync_compress_max_bytes;
  // Tests: runs on the pool thread before each pooled compression.
  std::function<void()> before_pooled_compression_for_test;

  ResponseCacheOptions();
};

class ResponseCache {
 public:
  // Answers a request that waited for a compression.
  using Waiter = absl::AnyInvocable<void(SharedBody) &&>;

  explicit ResponseCache(ResponseCacheOptions options = ResponseCacheOptions());
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The body for `key` at `version` (and `variant`: what else the document
  // depends on, e.g. how many delta-window entries are still in the window),
  // building its parts with `build` on a miss; `build` is handed the
  // previous version's parts to reuse. A gzip body that must first be
  // compressed on the pool is not returned (the result is empty): the cache
  // then takes the Waiter `park` makes and calls it, on the loop, with the
  // body once it is ready (see "Which body" above).
  SharedBody Get(const std::string& key, std::uint64_t version, bool gzip,
                 absl::FunctionRef<DocumentParts(const PartReuse&)> build,
                 absl::FunctionRef<Waiter()> park, std::uint64_t variant = 0);
  // Forgets every body: the registry was replaced, so a version number may
  // come back with other contents. Requests already waiting are answered
  // as if it had not happened (with the version current when they came).
  void Clear() { entries_.clear(); }

  // Bytes of the deflated pieces kept for the next versions (metrics).
  std::size_t deflated_bytes() const;
  // Gzip bodies made, in all and on the pool (tests, metrics).
  std::uint64_t gzip_builds() const { return gzip_builds_; }
  std::uint64_t pooled_gzip_builds() const { return pooled_gzip_builds_; }
  // Compressions handed to the pool and not yet completed (not counting
  // the ones queued behind them).
  std::size_t compressions_in_flight() const { return jobs_.size(); }

 private:
  struct Job;
  struct Entry {
    std::uint64_t version = 0;
    std::uint64_t variant = 0;
    DocumentParts parts;
    SharedBody plain;
    SharedBody gzip;  // absent until first asked for
    DeflatedParts deflated;
    Job* compressing = nullptr;  // on the pool for this entry, if any
  };

  // Starts `job` (planned) on the pool; on failure to queue, runs it here.
  void Submit(std::unique_ptr<Job> job);
  // Loop: a job has run on the pool, or was cancelled (status != 0).
  static void AfterWork(uv_work_t* work, int status);
  void Complete(std::unique_ptr<Job> job);

  ResponseCacheOptions options_;
  absl::flat_hash_map<std::string, Entry> entries_;
  absl::flat_hash_set<Job*> jobs_;  // submitted to the pool, not yet completed
  PieceDeflater deflater_;          // the loop's, for the small compressions
  std::uint64_t gzip_builds_ = 0;
  std::uint64_t pooled_gzip_builds_ = 0;
};

}  // namespace logbook::net::eureka
