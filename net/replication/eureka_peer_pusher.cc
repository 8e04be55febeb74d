#include "net/replication/eureka_peer_pusher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/logger.h"

namespace logbook::net::replication {
namespace {

using Clock = std::chrono::steady_clock;

// The path of a Eureka service URL, ending in '/': Eureka appends
// "peerreplication/batch/" to the URL exactly as configured.
std::string BasePath(std::string_view url) {
  std::string_view rest = url.substr(std::string_view("http://").size());
  const std::size_t slash = rest.find('/');
  std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (path.back() != '/') path += '/';
  return path;
}

std::int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<EurekaPeerPusher>> EurekaPeerPusher::Create(
    std::string url, EurekaPushOptions options,
    std::function<void(EurekaPushFeedback)> feedback) {
  absl::StatusOr<PeerAddress> address = ParsePeerUrl(url);
  if (!address.ok()) return address.status();
  std::string target = BasePath(url) + "peerreplication/batch/";
  return std::unique_ptr<EurekaPeerPusher>(new EurekaPeerPusher(
      std::move(url), *std::move(address), std::move(target), options, std::move(feedback)));
}

EurekaPeerPusher::EurekaPeerPusher(std::string url, PeerAddress address, std::string batch_target,
                                   EurekaPushOptions options,
                                   std::function<void(EurekaPushFeedback)> feedback)
    : url_(std::move(url)),
      batch_target_(std::move(batch_target)),
      options_(options),
      feedback_(std::move(feedback)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      client_(std::move(address), options.http, wake_fd_),
      queue_(options.queue_capacity) {
  LOGBOOK_CHECK(wake_fd_ >= 0);
  status_.url = url_;
  status_.state = "idle";
}

EurekaPeerPusher::~EurekaPeerPusher() {
  Stop();
  ::close(wake_fd_);
}

void EurekaPeerPusher::Start() {
  LOGBOOK_CHECK(!thread_.joinable());
  thread_ = std::thread([this] { Run(); });
}

void EurekaPeerPusher::Stop() {
  stopping_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof(one));
  {
    absl::MutexLock lock(&mutex_);
    changed_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mutex_);
  status_.state = "stopped";
}

void EurekaPeerPusher::Enqueue(std::vector<eureka::OutgoingReplicationItem> items) {
  const Clock::time_point now = Clock::now();
  bool log_overflow = false;
  {
    absl::MutexLock lock(&mutex_);
    std::size_t dropped = 0;
    for (eureka::OutgoingReplicationItem& item : items) {
      dropped += queue_.Push(std::move(item), now);
    }
    status_.dropped_items += dropped;
    log_overflow = dropped > 0 && !overflow_logged_;
    if (log_overflow) overflow_logged_ = true;
    changed_.Signal();
  }
  if (log_overflow) {
    // One fwrite on the loop thread, once per overflow (Logger::WriteLine).
    Logger::WriteLine(stderr, LogLevel::kWarn,
                      "eureka push: queue full, dropping the oldest heartbeats first (counted in "
                      "logbook_eureka_peer_dropped_items_total)",
                      {{"peer", url_}, {"max_queue_items", options_.queue_capacity}});
  }
}

void EurekaPeerPusher::NoteError(const std::string& error) {
  if (error == last_logged_error_) return;
  last_logged_error_ = error;
  Logger::WriteLine(stderr, LogLevel::kWarn, "eureka push: cannot push to the peer, retrying",
                    {{"peer", url_}, {"error", error}});
}

void EurekaPeerPusher::NoteSuccess() {
  if (last_logged_error_.empty()) return;
  last_logged_error_.clear();
  Logger::WriteLine(stderr, LogLevel::kInfo, "eureka push: the peer accepts batches again",
                    {{"peer", url_}});
}

EurekaPeerStatus EurekaPeerPusher::Status() const {
  absl::MutexLock lock(&mutex_);
  EurekaPeerStatus status = status_;
  status.queue_length = queue_.size();
  return status;
}

void EurekaPeerPusher::SetState(const char* state) {
  absl::MutexLock lock(&mutex_);
  status_.state = state;
}

void EurekaPeerPusher::Sleep(std::int64_t ms) {
  const Clock::time_point end = Clock::now() + std::chrono::milliseconds(ms);
  while (!stopping_.load()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
    if (left <= 0) return;
    pollfd fd{wake_fd_, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(left));
  }
}

void EurekaPeerPusher::Run() {
  std::int64_t backoff_ms = 0;
  while (!stopping_.load()) {
    std::vector<QueuedPushItem> batch = NextBatch();
    if (batch.empty()) continue;
    const std::int64_t wait_ms = SendBatch(std::move(batch));
    if (wait_ms == 0) {
      backoff_ms = 0;
      continue;
    }
    // Network errors back off exponentially from the first wait asked for.
    backoff_ms = backoff_ms == 0 ? wait_ms : std::min(backoff_ms * 2, options_.backoff_max_ms);
    backoff_ms = std::max(backoff_ms, wait_ms);
    SetState("backoff");
    Sleep(backoff_ms);
  }
}

std::vector<QueuedPushItem> EurekaPeerPusher::NextBatch() {
  absl::MutexLock lock(&mutex_);
  while (!stopping_.load()) {
    if (queue_.size() >= options_.batch_items) break;
    const std::optional<Clock::time_point> oldest = queue_.oldest();
    if (oldest.has_value()) {
      const Clock::time_point due = *oldest + std::chrono::milliseconds(options_.batch_delay_ms);
      if (Clock::now() >= due) break;
      changed_.WaitWithTimeout(&mutex_, absl::FromChrono(due - Clock::now()));
    } else {
      status_.state = "idle";
      changed_.Wait(&mutex_);
    }
  }
  if (stopping_.load()) return {};
  status_.state = "sending";
  return queue_.Take(options_.batch_items);
}

std::int64_t EurekaPeerPusher::SendBatch(std::vector<QueuedPushItem> batch) {
  std::vector<const eureka::OutgoingReplicationItem*> items;
  items.reserve(batch.size());
  for (const QueuedPushItem& queued : batch) items.push_back(&queued.item);
  const std::string body = eureka::WriteReplicationListJson(items);
  if (Clock::now() - last_exchange_ > std::chrono::milliseconds(options_.idle_reconnect_ms)) {
    client_.Close();
  }
  // The header marks the traffic as replication for receivers that check
  // it; Eureka's batch endpoint treats every item as one anyway.
  absl::StatusOr<PeerResponse> response =
      client_.Post(batch_target_, "application/json",
                   {"x-netflix-discovery-replication: true", "DiscoveryIdentity-Name: DefaultServer",
                    "DiscoveryIdentity-Version: logbook"},
                   body, options_.read_timeout_ms);
  last_exchange_ = Clock::now();
  const auto retry_later = [this, &batch](std::string error) {
    NoteError(error);
    absl::MutexLock lock(&mutex_);
    status_.dropped_items += queue_.Requeue(std::move(batch));
    status_.last_error = std::move(error);
    ++status_.send_errors;
  };
  if (!response.ok()) {
    if (absl::IsCancelled(response.status())) {
      absl::MutexLock lock(&mutex_);
      queue_.Requeue(std::move(batch));
      return 0;
    }
    retry_later(std::string(core::MessageOf(response.status())));
    return options_.backoff_initial_ms;
  }
  if (response->status == 503) {
    retry_later("peer busy (503)");
    return options_.busy_retry_ms;
  }
  if (response->status < 200 || response->status >= 300) {
    // Eureka drops such a batch too: resending what the peer refused as a
    // whole would only loop (docs/replication.md).
    std::string error =
        absl::StrCat("batch answered ", response->status, ", ", batch.size(), " items dropped");
    NoteError(error);
    absl::MutexLock lock(&mutex_);
    status_.failed_items += batch.size();
    ++status_.send_errors;
    status_.last_error = std::move(error);
    return 0;
  }
  NoteSuccess();
  HandleAnswers(batch, *response);
  return 0;
}

void EurekaPeerPusher::HandleAnswers(const std::vector<QueuedPushItem>& batch,
                                     const PeerResponse& response) {
  absl::StatusOr<std::vector<eureka::ReplicationResponseItem>> answers =
      eureka::ReadReplicationResponseJson(response.body, WallClockMs());
  std::vector<EurekaPushFeedback> feedback;
  {
    absl::MutexLock lock(&mutex_);
    ++status_.sent_batches;
    status_.last_success_ms = WallClockMs();
    overflow_logged_ = false;
    if (!answers.ok() || answers->size() != batch.size()) {
      // The batch was accepted; only its per-item answers are unusable.
      status_.sent_items += batch.size();
      status_.last_error = answers.ok() ? absl::StrCat("answer lists ", answers->size(),
                                                       " items for ", batch.size(), " sent")
                                        : std::string(core::MessageOf(answers.status()));
      return;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const eureka::OutgoingReplicationItem& item = batch[i].item;
      eureka::ReplicationResponseItem& answer = (*answers)[i];
      if (answer.status_code >= 200 && answer.status_code < 300) {
        ++status_.sent_items;
        continue;
      }
      ++status_.failed_items;
      if (item.action != "Heartbeat") continue;  // a Cancel 404 is only logged by Eureka too
      if (answer.status_code == 404) {
        ++status_.reregistered;
        feedback.push_back({EurekaPushFeedback::Kind::kMissing, item.app_name, item.id, {}});
      } else if (answer.status_code == 409) {
        ++status_.conflicts;
        if (answer.response_entity.has_value() && answer.response_entity->ok()) {
          feedback.push_back({EurekaPushFeedback::Kind::kConflict, item.app_name, item.id,
                              std::move(**answer.response_entity)});
        }
      }
    }
  }
  for (EurekaPushFeedback& one : feedback) feedback_(std::move(one));
}

}  // namespace logbook::net::replication
