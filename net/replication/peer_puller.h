#pragma once
// Pulls one peer's self-originated events (docs/replication.md): long-polls
// GET /logbook/v1/replication/events from the cursor this node holds for the
// peer, decodes and checks each batch on its own thread and hands it to the
// loop (LoopMailbox -> ReplicationApplier) in chunks, one loop task each.
// While catching up it fetches the next batch while the previous ones are
// applied and made durable, and hands it over once the previous one has been
// applied: at most two batches per peer handed over and not yet durable, plus
// the one being fetched, so a slow or chatty peer never makes this node
// buffer without bound. Once caught up it settles each batch before
// long-polling again. Failures back off exponentially with jitter; a bad
// batch is logged and retried, never appended.
//
// Thread: Start()/Stop() from the owner's thread (the loop); the puller runs
// on a thread of its own; Status() from any thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/event_codec.h"
#include "net/loop_mailbox.h"
#include "net/replication/cursor_table.h"
#include "net/replication/peer_http_client.h"
#include "net/replication/peer_status.h"
#include "net/replication/replication_applier.h"
#include "net/replication/snapshot_merger.h"

namespace logbook::net::replication {

struct PullerOptions {
  // ?limit= (offsets scanned per pull; the server also stops at about 8 MiB).
  // Larger pulls measured slower (bench/replication/RESULTS.md): multi-MiB
  // bodies cost fresh pages on both ends, and pipelining already hides the
  // round trip.
  std::size_t batch_events = 2000;
  // Events per loop task when a batch is applied: bounds the loop's stall.
  // Each chunk is a commit of its own, so smaller chunks cost CPU.
  std::size_t apply_chunk_events = 2000;
  std::int64_t wait_ms = 10000;      // ?wait_ms= (long-poll)
  std::int64_t read_margin_ms = 5000;  // read timeout = wait_ms + this
  std::int64_t backoff_initial_ms = 50;
  std::int64_t backoff_max_ms = 5000;
  // A batch whose first records need other peers' events not applied here
  // yet is pulled again as soon as they are, or after this long at most.
  std::int64_t waiting_retry_ms = 50;
  // Read timeout of a snapshot transfer: a large registry takes the peer a
  // while to export.
  std::int64_t snapshot_read_timeout_ms = 120000;
  PeerHttpOptions http;
};

class PeerPuller {
 public:
  // `mailbox`, `applier`, `cursors`, `codec` and `merger` must outlive the
  // puller; `applier` is used on the loop thread only. `self` is this node's
  // id (a peer URL that turns out to be this node is refused). Without a
  // `merger` a peer whose log cannot be pulled stays needs_snapshot.
  PeerPuller(std::string url, PeerAddress address, std::string self, PullerOptions options,
             LoopMailbox& mailbox, ReplicationApplier& applier, const CursorTable& cursors,
             const core::EventCodec& codec, std::uint64_t seed,
             SnapshotMerger* merger = nullptr);
  ~PeerPuller();  // Stop()s
  PeerPuller(const PeerPuller&) = delete;
  PeerPuller& operator=(const PeerPuller&) = delete;

  void Start();
  // Interrupts any wait, joins the thread. Idempotent.
  void Stop();

  PeerStatus Status() const;

 // Shared with the loop tasks that apply the chunks of handed-over batches.
  struct Handoff;
  struct BatchState;

 private:
  // A batch handed to the loop and not yet settled.
  struct InFlight {
    std::string identity;
    core::Offset from = 1;
    core::Offset next = 1;
    std::vector<core::Offset> offsets;  // of its events, for the count applied
    std::size_t bytes = 0;              // of its answer body
    bool counted = false;               // a non-empty range: counts as a batch
    // What the record at its first offset requires of another origin, as
    // (origin, origin offset): waited on when the applier refuses the batch.
    std::vector<std::pair<std::string, core::Offset>> head_requirements;
    std::shared_ptr<BatchState> state;  // its chunks' progress on the loop
  };
  void Run();
  // One pull; returns false when the puller must back off.
  bool PullOnce();
  // Posts `pulled` to the loop in chunks, without waiting, and queues
  // `batch` (its bookkeeping) in in_flight_.
  bool Post(InFlight batch, PulledBatch pulled);
  // Waits until every chunk of `batch` was applied (appended, not yet
  // durable) or refused; true if none was refused, so a next batch may
  // follow it.
  bool ChainApplied(const InFlight& batch);
  // Waits for the oldest batch in flight to be durable or refused and
  // updates the status from it; false when the puller must back off.
  bool SettleFront();
  // SettleFront() until nothing is in flight; false if any said so.
  bool SettleAll();
  // The cursor reached `reached` with nothing refused: streaming, and
  // caught up when it passed the peer's durable end.
  void MarkProgress(core::Offset reached);
  // The peer's log cannot be pulled from our cursor (`why`): merges its
  // snapshot transfer and resumes after it. False when the puller must back
  // off (the peer then shows needs_snapshot until a later attempt merges).
  bool MergeSnapshot(const absl::Status& why);
  void SleepBackoff();
  void Fail(std::string_view state, const absl::Status& status);
  void Log(std::string_view level, const std::string& message) const;

  const std::string url_;
  const std::string self_;
  const PullerOptions options_;
  LoopMailbox& mailbox_;
  ReplicationApplier& applier_;
  const CursorTable& cursors_;
  const core::EventCodec& codec_;
  SnapshotMerger* const merger_;
  std::mt19937_64 random_;
  int wake_fd_ = -1;  // eventfd: readable once stopping
  PeerHttpClient client_;

  // Puller thread only.
  std::string node_id_;  // learned from the first answer
  int failures_ = 0;     // consecutive, for the backoff
  std::string last_logged_error_;

  // Handed over and not settled, oldest first: at most two.
  std::deque<InFlight> in_flight_;

  std::atomic<bool> stopping_{false};
  std::shared_ptr<Handoff> handoff_;

  mutable absl::Mutex mu_;
  PeerStatus status_ ABSL_GUARDED_BY(mu_);
  // When the puller fell behind; nullopt while caught up.
  std::optional<std::chrono::steady_clock::time_point> behind_since_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
};

}  // namespace logbook::net::replication
