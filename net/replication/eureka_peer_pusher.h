#pragma once
// Pushes this node's client writes to one stock Eureka peer in Eureka's own
// batch format (POST {peer}peerreplication/batch/, eureka-protocol.md E14 and
// §7.3; docs/replication.md, "Mixed clusters"), as Eureka's PeerEurekaNode
// does: a bounded queue, batches of up to `batch_items` sent once the oldest
// item waited `batch_delay_ms` (or at once when a batch is full), network
// errors retried with exponential backoff, a 503 retried after
// `busy_retry_ms`, any other non-2xx answer dropped (as Eureka does).
//
// Per-item answers that need the registry (a heartbeat answered 404: the
// peer wants a register; 409 with the peer's newer copy) go to `feedback`,
// called on the pusher's thread; the owner moves them to the loop.
//
// Thread: Enqueue()/Status() from any thread; Start()/Stop() from the
// owner's; the sending runs on a thread of its own, so a dead or slow peer
// never delays the loop or a client.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/instance.h"
#include "net/eureka/eureka_json.h"
#include "net/replication/eureka_push_queue.h"
#include "net/replication/peer_http_client.h"

namespace logbook::net::replication {

struct EurekaPushOptions {
  std::size_t queue_capacity = 10000;  // maxElementsInPeerReplicationPool
  std::size_t batch_items = 250;       // Eureka's hard-coded batch size
  std::int64_t batch_delay_ms = 500;   // Eureka's hard-coded batching delay
  std::int64_t read_timeout_ms = 5000;  // peerNodeReadTimeoutMs
  std::int64_t backoff_initial_ms = 100;
  std::int64_t backoff_max_ms = 5000;
  std::int64_t busy_retry_ms = 1000;  // after a 503, as Eureka
  // A keep-alive connection idle this long is closed before the next batch
  // rather than reused: servers close idle connections (Tomcat after 20 s),
  // and a batch sent into a connection closing under it fails for nothing.
  std::int64_t idle_reconnect_ms = 15000;
  PeerHttpOptions http;
};

// What GET /logbook/v1/status and /metrics show per Eureka peer.
struct EurekaPeerStatus {
  std::string url;
  std::string state;  // idle, sending, backoff, stopped
  std::uint64_t queue_length = 0;
  std::uint64_t sent_batches = 0;
  std::uint64_t sent_items = 0;     // items the peer answered 2xx
  std::uint64_t failed_items = 0;   // items answered non-2xx, or in a dropped batch
  std::uint64_t dropped_items = 0;  // dropped because the queue was full
  std::uint64_t send_errors = 0;    // network errors and non-2xx batch answers
  std::uint64_t reregistered = 0;   // heartbeats answered 404, a register queued
  std::uint64_t conflicts = 0;      // heartbeats answered 409
  std::string last_error;
  std::int64_t last_success_ms = 0;  // wall clock of the last 2xx batch; 0: never
};

// A per-item answer the owner handles on the loop.
struct EurekaPushFeedback {
  enum class Kind { kMissing, kConflict };
  Kind kind = Kind::kMissing;
  std::string app_name;
  std::string id;
  // kConflict: the peer's copy.
  std::optional<core::InstanceInfo> peer_instance;
};

class EurekaPeerPusher {
 public:
  // `url` as configured, e.g. http://host:8761/eureka/.
  static absl::StatusOr<std::unique_ptr<EurekaPeerPusher>> Create(
      std::string url, EurekaPushOptions options,
      std::function<void(EurekaPushFeedback)> feedback);
  ~EurekaPeerPusher();  // Stop()s
  EurekaPeerPusher(const EurekaPeerPusher&) = delete;
  EurekaPeerPusher& operator=(const EurekaPeerPusher&) = delete;

  void Start();
  // Interrupts any wait or request and joins the thread. Items still queued
  // are lost (Eureka's are too; docs/replication.md). Idempotent.
  void Stop();

  void Enqueue(std::vector<eureka::OutgoingReplicationItem> items);
  EurekaPeerStatus Status() const;
  const std::string& url() const { return url_; }

 private:
  EurekaPeerPusher(std::string url, PeerAddress address, std::string batch_target,
                   EurekaPushOptions options, std::function<void(EurekaPushFeedback)> feedback);
  void Run();
  // Waits for a batch to be due; empty once stopping.
  std::vector<QueuedPushItem> NextBatch();
  // Sends one batch; returns the wait before the next attempt (0: none).
  std::int64_t SendBatch(std::vector<QueuedPushItem> batch);
  void HandleAnswers(const std::vector<QueuedPushItem>& batch, const PeerResponse& response);
  void SetState(const char* state);
  void Sleep(std::int64_t ms);
  // Logs an error once per distinct error, and the recovery after errors.
  void NoteError(const std::string& error);
  void NoteSuccess();

  const std::string url_;
  const std::string batch_target_;  // {path}peerreplication/batch/
  const EurekaPushOptions options_;
  const std::function<void(EurekaPushFeedback)> feedback_;
  int wake_fd_ = -1;
  PeerHttpClient client_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point last_exchange_;  // pusher thread only
  std::string last_logged_error_;                        // pusher thread only

  mutable absl::Mutex mutex_;
  absl::CondVar changed_;
  EurekaPushQueue queue_ ABSL_GUARDED_BY(mutex_);
  EurekaPeerStatus status_ ABSL_GUARDED_BY(mutex_);
  // Set by the first drop, cleared by the next accepted batch: one log line
  // per overflow, not one per dropped item.
  bool overflow_logged_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace logbook::net::replication
