#include "net/replication/bootstrapper.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/status.h"
#include "net/logger.h"
#include "net/url_credentials.h"

namespace logbook::net::replication {

Bootstrapper::Bootstrapper(std::vector<std::string> peer_urls, core::NodeId self,
                           SnapshotValidator validate, BootstrapOptions options,
                           std::uint64_t seed)
    : peer_urls_(std::move(peer_urls)),
      self_(std::move(self)),
      validate_(std::move(validate)),
      options_(options),
      random_(seed),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      last_logged_(peer_urls_.size()) {
  LOGBOOK_CHECK(wake_fd_ >= 0);
}

Bootstrapper::~Bootstrapper() { ::close(wake_fd_); }

void Bootstrapper::Stop() {
  if (stopping_.exchange(true)) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof(one));
}

std::string Bootstrapper::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

void Bootstrapper::SetState(std::string state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
}

void Bootstrapper::Log(std::string_view level, const std::string& url, const std::string& message) {
  const LogLevel parsed = level == "error"  ? LogLevel::kError
                          : level == "warn" ? LogLevel::kWarn
                                            : LogLevel::kInfo;
  Logger::WriteLine(stderr, parsed, "bootstrap: " + message, {{"peer", url}});
}

bool Bootstrapper::SleepBackoff(int failures) {
  const int exponent = std::min(failures, 20);
  const std::int64_t ceiling =
      std::min(options_.backoff_max_ms, options_.backoff_initial_ms << exponent);
  std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2,
                                                     std::max<std::int64_t>(ceiling, 1));
  pollfd fd{wake_fd_, POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(jitter(random_)));
  return !stopping_.load();
}

absl::StatusOr<std::optional<FetchedSnapshot>> Bootstrapper::Run() {
  std::vector<std::unique_ptr<PeerHttpClient>> clients;
  for (const std::string& url : peer_urls_) {
    ASSIGN_OR_RETURN(PeerAddress address, ParsePeerUrl(url, options_.default_authorization));
    clients.push_back(std::make_unique<PeerHttpClient>(std::move(address), options_.http, wake_fd_));
  }
  for (int failures = 0;; ++failures) {
    // Whether some peer has data we could not get this round: then the
    // bootstrap goes on; otherwise the cluster has nothing to give.
    bool retry = false;
    std::string last_refusal;  // shown in /readyz while backing off
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (stopping_.load()) return absl::CancelledError("bootstrap stopped");
      // Only ever shown (state, logs): never the password of a URL's userinfo.
      const std::string url = MaskUrlPassword(peer_urls_[i]);
      SetState(absl::StrCat("fetching a snapshot from ", url));
      absl::StatusOr<std::optional<FetchedSnapshot>> fetched =
          FetchSnapshot(*clients[i], self_, validate_, options_.read_timeout_ms);
      clients[i]->Close();
      if (stopping_.load()) return absl::CancelledError("bootstrap stopped");
      if (fetched.ok()) {
        if (fetched->has_value()) {
          Log("info", url,
              absl::StrCat("snapshot of ", (*fetched)->node_id, " at offset ",
                           (*fetched)->transfer.offset, " received (",
                           (*fetched)->transfer.snapshot.size(), " bytes, ",
                           (*fetched)->transfer.cursors.size(), " cursors)"));
          SetState(absl::StrCat("installing the snapshot of ", (*fetched)->node_id, " at offset ",
                                (*fetched)->transfer.offset));
          return fetched;
        }
        continue;  // nothing there: an empty or bootstrapping peer
      }
      const absl::Status& error = fetched.status();
      if (absl::IsUnavailable(error) || absl::IsFailedPrecondition(error)) {
        // Unreachable (or ourselves): counts as having nothing to give, so a
        // cluster whose nodes all start at once does not wait for itself.
        if (last_logged_[i] != error.message()) {
          Log("info", url, absl::StrCat("peer cannot be asked: ", std::string(core::MessageOf(error))));
          last_logged_[i] = std::string(error.message());
        }
        continue;
      }
      retry = true;
      last_refusal = absl::StrCat(url, ": ", std::string(core::MessageOf(error)));
      if (last_logged_[i] != error.message()) {
        Log("warn", url, absl::StrCat("snapshot refused: ", std::string(core::MessageOf(error))));
        last_logged_[i] = std::string(error.message());
      }
    }
    if (!retry) {
      std::vector<std::string> shown;
      for (const std::string& peer : peer_urls_) shown.push_back(MaskUrlPassword(peer));
      Log("info", absl::StrJoin(shown, ","),
          "no peer has a snapshot to give: starting with an empty registry");
      return std::nullopt;
    }
    SetState(absl::StrCat("backing off before asking the peers again (last refusal: ", last_refusal,
                          ")"));
    if (!SleepBackoff(failures)) return absl::CancelledError("bootstrap stopped");
  }
}

}  // namespace logbook::net::replication
