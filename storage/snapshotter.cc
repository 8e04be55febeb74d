#include "storage/snapshotter.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "storage/event_codec.h"
#include "storage/snapshot_codec.h"

namespace logbook::storage {
namespace {

constexpr int kThreadNice = 10;

std::int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Snapshotter::Snapshotter(EventLog& log, SnapshotterOptions options, SnapshotListener listener)
    : log_(log),
      store_(log.db(), options.keep),
      options_(std::move(options)),
      listener_(std::move(listener)) {}

Snapshotter::~Snapshotter() { Stop(false); }

void Snapshotter::Start() {
  LOGBOOK_CHECK(!thread_.joinable());
  // Commits from now on queue for the thread while it restores the shadow.
  log_.committed_feed().Open();
  thread_ = std::thread([this] { Run(); });
}

void Snapshotter::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  wake_.notify_one();
}

void Snapshotter::Stop(bool final_snapshot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    final_snapshot_ = final_snapshot;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  log_.committed_feed().Close();
}

SnapshotterStats Snapshotter::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

bool Snapshotter::Restore() {
  std::vector<SkippedSnapshot> skipped;
  const core::Offset first = log_.first_offset();
  absl::StatusOr<std::optional<LoadedSnapshot>> loaded = store_.LoadNewest(
      options_.registry, first > 1 ? first - 1 : 1, log_.durable_offset(), &skipped);
  absl::Status error;
  if (!loaded.ok()) {
    error = loaded.status();
  } else if (loaded->has_value()) {
    shadow_ = std::move((*loaded)->registry);
  } else if (first > 1) {
    error = absl::FailedPreconditionError(absl::StrCat(
        "snapshotter: no usable snapshot and the log starts at offset ", first));
  } else {
    shadow_ = std::make_unique<core::Registry>(options_.registry);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.last_error = error;
  if (shadow_ != nullptr) {
    stats_.shadow_offset = shadow_->last_applied_offset();
    stats_.last_snapshot_offset = shadow_->last_applied_offset();
    last_snapshot_offset_ = stats_.last_snapshot_offset;
  }
  return error.ok();
}

bool Snapshotter::stopping_without_snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_ && !final_snapshot_;
}

bool Snapshotter::CatchUp(bool through_durable) {
  // Loaded before taking the feed: the writer publishes a commit before it
  // moves the durable offset, so every commit up to `durable` that the feed
  // kept is in what Take() returns (or was taken before).
  const core::Offset durable = log_.durable_offset();
  chunks_.clear();
  log_.committed_feed().Take(&chunks_);
  const bool fed = !chunks_.empty();
  bool ok = true;
  for (const CommittedChunk& chunk : chunks_) {
    if (!ApplyChunk(chunk)) {
      ok = false;
      break;
    }
  }
  log_.committed_feed().Recycle(&chunks_);
  // With nothing fed, what the shadow lacks up to `durable` was not kept by
  // the feed and is read from the log. With chunks fed, more are likely on
  // their way, and the next round takes them rather than reading them back.
  if (ok && through_durable) {
    ok = ReadFromLog(log_.durable_offset());
  } else if (ok && !fed) {
    ok = ReadFromLog(durable);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats_.shadow_offset = shadow_->last_applied_offset();
  stats_.events_from_feed = applied_from_feed_;
  stats_.events_from_log = applied_from_log_;
  return ok;
}

bool Snapshotter::ReadFromLog(core::Offset through) {
  while (shadow_->last_applied_offset() < through) {
    if (stopping_without_snapshot()) return true;
    read_events_.clear();
    const core::Offset from = shadow_->last_applied_offset() + 1;
    const std::size_t wanted =
        static_cast<std::size_t>(std::min<core::Offset>(through - from + 1, options_.read_batch));
    if (absl::Status read = log_.Read(from, wanted, &read_events_); !read.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.last_error = read;
      return false;
    }
    // Read stops at the durable offset, which never moves back: `through`
    // is at or below it, so this only guards against a log that lies.
    if (read_events_.empty()) return true;
    for (const core::Event& event : read_events_) ApplyEvent(event);
    applied_from_log_ += read_events_.size();
  }
  return true;
}

bool Snapshotter::ApplyChunk(const CommittedChunk& chunk) {
  for (const EncodedBatch& batch : chunk) {
    if (batch.values.empty()) continue;  // peer cursors only
    const core::Offset last = batch.first_offset + batch.values.size() - 1;
    if (last <= shadow_->last_applied_offset()) continue;  // already read from the log
    if (batch.first_offset > shadow_->last_applied_offset() + 1) {
      if (!ReadFromLog(batch.first_offset - 1)) return false;
      if (shadow_->last_applied_offset() + 1 != batch.first_offset) return true;  // stopping
    }
    for (std::size_t i = shadow_->last_applied_offset() + 1 - batch.first_offset;
         i < batch.values.size(); ++i) {
      const core::Offset offset = batch.first_offset + i;
      if (absl::Status decoded = DecodeEventInto(batch.values[i], offset, &decoded_);
          !decoded.ok()) {
        // The writer encoded these bytes itself: a failure is a bug, but the
        // shadow must not skip an event, so it stops here like on a bad read.
        std::lock_guard<std::mutex> lock(mu_);
        stats_.last_error = decoded;
        return false;
      }
      ApplyEvent(decoded_);
      ++applied_from_feed_;
    }
  }
  return true;
}

void Snapshotter::ApplyEvent(const core::Event& event) {
  shadow_->Apply(event);
  if (shadow_->last_applied_offset() - last_snapshot_offset_ >= options_.every_events) {
    TakeSnapshot();
  }
}

void Snapshotter::TakeSnapshot() {
  const core::Offset offset = shadow_->last_applied_offset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.in_progress = true;
    ++stats_.snapshots_started;
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string encoded = EncodeSnapshot(*shadow_);
  const auto encoded_at = std::chrono::steady_clock::now();
  const absl::Status written = store_.Write(offset, encoded);
  const auto written_at = std::chrono::steady_clock::now();
  last_snapshot_steady_ms_ = SteadyMs();
  SnapshotterStats copy;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.in_progress = false;
    stats_.shadow_offset = offset;
    if (written.ok()) {
      stats_.last_error = absl::OkStatus();
      ++stats_.snapshots_written;
      stats_.last_snapshot_offset = offset;
      last_snapshot_offset_ = offset;
      stats_.last_snapshot_bytes = encoded.size();
      stats_.last_encode_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(encoded_at - start).count();
      stats_.last_write_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(written_at - encoded_at).count();
    } else {
      // Not fatal: the log is the truth; the next attempt may succeed.
      stats_.last_error = written;
    }
    copy = stats_;
  }
  if (listener_) listener_(copy);
}

void Snapshotter::Run() {
  // Background work: on a machine short of cores the loop thread must win
  // the CPU over a snapshot of 100,000 instances (issue 4's stall goal).
  // Linux applies a nice value to one thread when given its tid; failure
  // only costs that preference.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kThreadNice);
  last_snapshot_steady_ms_ = SteadyMs();
  if (!Restore()) {
    // No shadow to feed: nothing may pile up in the feed until Stop().
    log_.committed_feed().Close();
    if (listener_) listener_(stats());
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [this] { return stopping_; });
    return;
  }
  while (true) {
    CatchUp(/*through_durable=*/false);
    core::Offset last_snapshot;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_snapshot = stats_.last_snapshot_offset;
    }
    if (SteadyMs() - last_snapshot_steady_ms_ >= options_.every_ms &&
        shadow_->last_applied_offset() > last_snapshot) {
      TakeSnapshot();
    }
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) break;
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                   [this] { return notified_ || stopping_; });
    notified_ = false;
    if (stopping_) break;
  }
  bool final_snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    final_snapshot = final_snapshot_;
  }
  if (!final_snapshot) return;
  if (!CatchUp(/*through_durable=*/true)) return;
  if (shadow_->last_applied_offset() > stats().last_snapshot_offset) TakeSnapshot();
}

}  // namespace logbook::storage
