#include "net/eureka/response_cache.h"

#include <optional>
#include <utility>
#include <vector>

namespace logbook::net::eureka {
namespace {

// Below this a copy into the socket costs less than the extra syscall of a
// separate sendfile(), and memfds stay few (one per big document).
constexpr std::size_t kFileBackedMinBytes = 64 * 1024;

// Plain bytes below which a gzip body is compressed on the loop. Measured
// here (zlib level 6 on instance JSON; an empty uv_queue_work round trip):
// 16 KiB compress in ~55 us and 32 KiB in ~100 us, while handing work to
// the pool and back takes ~75 us (two thread wake-ups and a loop turn; ~14
// us of it on the loop). Below ~20 KiB queueing costs more than it saves,
// and the loop is held for well under 0.1 ms. So the many small documents
// (per-app, VIP, most deltas) are answered at once and anything bigger
// (a full registry, even after one change) goes to the pool.
constexpr std::size_t kSyncCompressMaxBytes = 16 * 1024;

SharedBody GzipBody(std::string compressed) {
  const bool file_backed = compressed.size() >= kFileBackedMinBytes;
  return MakeSharedBody(std::move(compressed), file_backed);
}

}  // namespace

ResponseCacheOptions::ResponseCacheOptions() : sync_compress_max_bytes(kSyncCompressMaxBytes) {}

// One gzip body compressed on the pool. The pool thread touches only
// `before`, `plan` and `body`; everything else is the loop's.
struct ResponseCache::Job {
  uv_work_t work{};
  ResponseCache* cache = nullptr;  // null once the cache is gone
  std::string key;
  std::uint64_t version = 0;
  std::uint64_t variant = 0;
  // A queued job holds its parts until it is planned, when the job before
  // it has completed (its pieces are then known).
  DocumentParts parts;
  std::optional<DeflatedParts::Plan> plan;
  std::function<void()> before;
  SharedBody body;
  std::vector<Waiter> waiters;
  // Queued behind this one: a newer version of the same entry.
  std::unique_ptr<Job> next;
};

ResponseCache::ResponseCache(ResponseCacheOptions options) : options_(std::move(options)) {}

ResponseCache::~ResponseCache() {
  // A job still queued is cancelled; one running completes on its thread.
  // Either way the loop frees it in AfterWork, which finds no cache.
  for (Job* job : jobs_) {
    job->cache = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&job->work));
  }
}

SharedBody ResponseCache::Get(const std::string& key, std::uint64_t version, bool gzip,
                              absl::FunctionRef<DocumentParts(const PartReuse&)> build,
                              absl::FunctionRef<Waiter()> park, std::uint64_t variant) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // Dropping everything is crude but bounded; hot keys refill at once.
    // Compressions running for dropped entries still answer their waiters.
    if (entries_.size() >= options_.max_entries) entries_.clear();
    it = entries_.emplace(key, Entry{}).first;
    it->second.version = version + 1;  // forces a build below
  }
  Entry& entry = it->second;
  if (entry.version != version || entry.variant != variant) {
    entry.version = version;
    entry.variant = variant;
    entry.parts = build(PartReuse(entry.parts));
    entry.plain = PlainBody(entry.parts);
    entry.gzip = SharedBody();
  }
  if (!gzip) return entry.plain;
  if (entry.gzip) return entry.gzip;
  if (Job* running = entry.compressing) {
    if (running->version == entry.version && running->variant == entry.variant) {
      running->waiters.push_back(park());
      return SharedBody();
    }
    // An older version is on the pool: this one is compressed after it,
    // reusing its pieces. Waiters already queued get this newer version.
    if (!running->next) {
      running->next = std::make_unique<Job>();
      running->next->key = key;
    }
    Job& queued = *running->next;
    queued.version = entry.version;
    queued.variant = entry.variant;
    queued.parts = entry.parts;
    queued.waiters.push_back(park());
    return SharedBody();
  }
  DeflatedParts::Plan plan = entry.deflated.Prepare(entry.parts);
  if (options_.loop == nullptr || plan.bytes_to_compress() < options_.sync_compress_max_bytes) {
    entry.gzip = GzipBody(plan.Run(deflater_));
    entry.deflated.Install(std::move(plan));
    ++gzip_builds_;
    return entry.gzip;
  }
  auto job = std::make_unique<Job>();
  job->key = key;
  job->version = entry.version;
  job->variant = entry.variant;
  job->plan.emplace(std::move(plan));
  job->waiters.push_back(park());
  entry.compressing = job.get();
  Submit(std::move(job));
  return SharedBody();
}

void ResponseCache::Submit(std::unique_ptr<Job> job) {
  job->cache = this;
  job->before = options_.before_pooled_compression_for_test;
  job->work.data = job.get();
  const int rc = uv_queue_work(
      options_.loop, &job->work,
      [](uv_work_t* work) {
        Job* running = static_cast<Job*>(work->data);
        if (running->before) running->before();
        // A zlib state per job: allocating it costs little next to the
        // compression a job is big enough to be pooled for.
        PieceDeflater deflater;
        running->body = GzipBody(running->plan->Run(deflater));
      },
      &ResponseCache::AfterWork);
  if (rc != 0) {
    // Only a closing loop refuses work: compress here rather than drop the
    // waiting requests.
    job->body = GzipBody(job->plan->Run(deflater_));
    return Complete(std::move(job));
  }
  jobs_.insert(job.release());
}

void ResponseCache::AfterWork(uv_work_t* work, int status) {
  std::unique_ptr<Job> job(static_cast<Job*>(work->data));
  ResponseCache* cache = job->cache;
  // The cache is gone (the job was cancelled or ran for nothing): its
  // waiters are dropped with it.
  if (cache == nullptr) return;
  cache->jobs_.erase(job.get());
  if (status != 0) job->body = GzipBody(job->plan->Run(cache->deflater_));
  cache->Complete(std::move(job));
}

void ResponseCache::Complete(std::unique_ptr<Job> job) {
  ++gzip_builds_;
  ++pooled_gzip_builds_;
  // The entry the job compressed for, unless it was dropped meanwhile
  // (Clear, or the bound on entries).
  auto it = entries_.find(job->key);
  Entry* entry =
      it != entries_.end() && it->second.compressing == job.get() ? &it->second : nullptr;
  // The pieces are kept for the next version: in the entry, or for the
  // queued job alone when the entry is gone.
  DeflatedParts orphaned;
  DeflatedParts& pieces = entry != nullptr ? entry->deflated : orphaned;
  pieces.Install(std::move(*job->plan));
  job->plan.reset();
  if (entry != nullptr) {
    entry->compressing = nullptr;
    if (entry->version == job->version && entry->variant == job->variant) entry->gzip = job->body;
  }
  if (std::unique_ptr<Job> next = std::move(job->next)) {
    next->plan.emplace(pieces.Prepare(next->parts));
    next->parts.clear();  // the plan holds them
    if (entry != nullptr) entry->compressing = next.get();
    Submit(std::move(next));
  }
  // Last: nothing above may run after a waiter (which may write a reply).
  for (Waiter& waiter : job->waiters) std::move(waiter)(job->body);
}

std::size_t ResponseCache::deflated_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [key, entry] : entries_) bytes += entry.deflated.bytes();
  return bytes;
}

}  // namespace logbook::net::eureka
