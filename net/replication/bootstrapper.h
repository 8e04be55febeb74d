#pragma once
// Bootstrap of a node with a new data dir (docs/replication.md, "Bootstrap"):
// asks each peer in turn for a snapshot transfer until one gives a valid
// one. A round in which every peer is unreachable or has nothing to give
// (its log is empty, or it is bootstrapping too) ends the bootstrap with
// nothing: the cluster is new, and the node starts empty. A peer that has
// data but answers an error or a damaged transfer is logged and asked again
// after a backoff (exponential with jitter), never used.
//
// Thread: Run() blocks on the caller's thread; Stop() and state() from any.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "net/replication/peer_http_client.h"
#include "net/replication/snapshot_fetcher.h"

namespace logbook::net::replication {

struct BootstrapOptions {
  std::int64_t backoff_initial_ms = 50;
  std::int64_t backoff_max_ms = 2000;
  // A large registry takes the server a while to export: the read timeout
  // covers the whole transfer.
  std::int64_t read_timeout_ms = 120000;
  // The Authorization value for peers whose URL carries no credentials
  // (logbook.auth.peer-credentials), as the pullers use.
  std::string default_authorization;
  PeerHttpOptions http{.connect_timeout_ms = 2000,
                       .max_header_bytes = 64 * 1024,
                       .max_body_bytes = 512 * 1024 * 1024};
};

class Bootstrapper {
 public:
  // `validate` checks a snapshot value (storage's codec); it must outlive Run().
  Bootstrapper(std::vector<std::string> peer_urls, core::NodeId self, SnapshotValidator validate,
               BootstrapOptions options, std::uint64_t seed);
  ~Bootstrapper();
  Bootstrapper(const Bootstrapper&) = delete;
  Bootstrapper& operator=(const Bootstrapper&) = delete;

  // The first valid snapshot a peer gave, or nullopt when no peer has one
  // (start empty). InvalidArgument for a peer URL that cannot be parsed;
  // Cancelled once Stop() was called.
  absl::StatusOr<std::optional<FetchedSnapshot>> Run();
  // Interrupts Run(). Idempotent.
  void Stop();
  // What the bootstrap is doing, for /readyz.
  std::string state() const;

 private:
  void SetState(std::string state);
  void Log(std::string_view level, const std::string& url, const std::string& message);
  // False when stopped during the sleep.
  bool SleepBackoff(int failures);

  const std::vector<std::string> peer_urls_;
  const core::NodeId self_;
  const SnapshotValidator validate_;
  const BootstrapOptions options_;
  std::mt19937_64 random_;
  int wake_fd_ = -1;  // eventfd: readable once stopping
  std::atomic<bool> stopping_{false};
  std::vector<std::string> last_logged_;  // per peer: the last error logged

  mutable absl::Mutex mu_;
  std::string state_ ABSL_GUARDED_BY(mu_) = "starting";
};

}  // namespace logbook::net::replication
