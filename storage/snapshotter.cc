#include "storage/snapshotter.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>

#include "core/status.h"
#include "storage/snapshot_codec.h"

namespace logbook::storage {
namespace {

constexpr int kThreadNice = 10;

std::int64_t MsBetween(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

}  // namespace

Snapshotter::Snapshotter(Db& db, core::Offset last_snapshot_offset, SnapshotterOptions options,
                         SnapshotListener listener)
    : store_(db, options.keep), listener_(std::move(listener)) {
  stats_.last_snapshot_offset = last_snapshot_offset;
}

Snapshotter::~Snapshotter() { Stop(); }

void Snapshotter::Start() {
  LOGBOOK_CHECK(!thread_.joinable());
  thread_ = std::thread([this] { Run(); });
}

void Snapshotter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Snapshotter::CutStarted() {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.in_progress = true;
  ++stats_.snapshots_started;
}

void Snapshotter::CutFailed(const absl::Status& error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.in_progress = !jobs_.empty() || writing_;
    if (error.ok()) return;
    stats_.last_error = error;
  }
  // From the loop: the listener (logging, metrics) is cheap and thread-safe.
  Report();
}

void Snapshotter::Submit(SnapshotBody body, std::int64_t cut_ms) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(Job{std::move(body), cut_ms});
    stats_.in_progress = true;
  }
  wake_.notify_one();
}

bool Snapshotter::idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jobs_.empty() && !writing_;
}

SnapshotterStats Snapshotter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Snapshotter::Report() {
  if (listener_) listener_(stats());
}

void Snapshotter::Write(Job job) {
  const auto start = std::chrono::steady_clock::now();
  const core::Offset offset = job.body.offset;
  std::string value;
  {
    // Freed before the write: at 100,000 instances the joined body is tens
    // of megabytes, the compressed value a fifth of it.
    const std::string body = job.body.Joined();
    job.body.pieces.clear();
    job.body.pieces.shrink_to_fit();
    value = EncodeSnapshotValue(offset, body);
  }
  const auto encoded_at = std::chrono::steady_clock::now();
  const absl::Status written = store_.Write(offset, value);
  const auto written_at = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.in_progress = !jobs_.empty();
    if (written.ok()) {
      stats_.last_error = absl::OkStatus();
      ++stats_.snapshots_written;
      stats_.last_snapshot_offset = offset;
      stats_.last_snapshot_bytes = value.size();
      stats_.last_encode_ms = job.cut_ms + MsBetween(start, encoded_at);
      stats_.last_write_ms = MsBetween(encoded_at, written_at);
    } else {
      // Not fatal: the log is the truth; the next snapshot may succeed.
      stats_.last_error = written;
    }
  }
  Report();
}

void Snapshotter::Run() {
  // Background work: on a machine short of cores the loop thread must win
  // the CPU over compressing a snapshot of 100,000 instances. Linux applies
  // a nice value to one thread when given its tid; failure only costs that
  // preference.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kThreadNice);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) break;  // stopping, and everything submitted is written
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    writing_ = true;
    lock.unlock();
    Write(std::move(job));
    lock.lock();
    writing_ = false;
    stats_.in_progress = !jobs_.empty();
  }
}

}  // namespace logbook::storage
