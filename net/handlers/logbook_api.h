#pragma once
// Logbook's own endpoints (logbook-interface.md): /healthz, /readyz,
// /logbook/v1/status, /logbook/v1/events (the change stream by offset,
// long-polled) and /logbook/v1/history (the audit trail, from its index).
// Log reads run on libuv's thread pool, never on the loop.
//
// Thread: loop thread only (the read jobs touch only the journal).
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include <uv.h>

#include "core/audit_journal.h"
#include "core/clock.h"
#include "core/event_codec.h"
#include "core/event_journal.h"
#include "core/registry.h"
#include "core/self_preservation.h"
#include "net/handlers/replication_snapshot_handler.h"
#include "net/http_server.h"
#include "net/loop_stall_meter.h"
#include "net/replication/eureka_peer_pusher.h"
#include "net/replication/peer_status.h"
#include "net/router.h"
#include "net/write_pipeline.h"

namespace logbook::net {

struct RecoveryInfo {
  core::Offset snapshot_offset = 0;
  std::uint64_t replayed_events = 0;
  std::int64_t ms = 0;
};

// The background snapshotter as /logbook/v1/status shows it (app/ fills it
// from storage's Snapshotter).
struct SnapshotStatus {
  bool in_progress = false;
  std::uint64_t taken = 0;
  core::Offset last_offset = 0;
  std::int64_t last_ms = 0;  // encode + write of the last one
  std::uint64_t last_bytes = 0;
  // The offset of a cut being encoded or waiting to be durable (0: none).
  core::Offset cut_offset = 0;
  std::string last_error;  // empty when the last attempt succeeded
};

struct LogbookApiOptions {
  std::string node_id;
  std::string log_identity;
  std::vector<std::string> peer_urls;
  RecoveryInfo recovery;
  core::SelfPreservationOptions self_preservation;
  std::int64_t max_wait_ms = 30000;        // bound on ?wait_ms=
  std::size_t max_events_per_read = 1000;  // bound on ?limit=
  std::size_t max_waiters = 10000;         // long-polls parked at once
  // The audit history; null answers /logbook/v1/history with 503. Must
  // outlive the LogbookApi and every history read it started.
  const core::AuditJournal* audit = nullptr;
  std::size_t max_history_per_read = 1000;  // bound on history's ?limit=
  // Optional sections of /logbook/v1/status; absent when null/empty. The
  // meter must outlive the LogbookApi; the function is called on the loop.
  const LoopStallMeter* loop_meter = nullptr;
  std::function<SnapshotStatus()> snapshot_status;
  std::function<std::uint64_t()> disk_bytes;  // the data directory's size (log.disk_bytes)
  // The event bytes of /logbook/v1/replication/events; null answers it with
  // 503. Must outlive the LogbookApi and its read jobs.
  const core::EventCodec* codec = nullptr;
  // Offsets scanned per replication read, and the bound on its body: a
  // batch stops early at either, so a peer never gets more than this.
  std::size_t max_replication_events_per_read = 10000;
  std::size_t max_replication_bytes_per_read = 8 * 1024 * 1024;
  // Per-peer replication state for GET /logbook/v1/status; empty = none.
  std::function<std::vector<replication::PeerStatus>()> peer_status;
  // Per stock-Eureka peer push state (--eureka-peers) for "eureka_peers";
  // empty = none (an empty array).
  std::function<std::vector<replication::EurekaPeerStatus>()> eureka_peer_status;
  // GET /logbook/v1/replication/snapshot; null answers it with 503.
  SnapshotExport snapshot_export;
  // The oldest offset at which this log can hold an event it originated: 1,
  // or one past the snapshot a bootstrapped log starts from. While
  // retention has dropped nothing at or above it, a replication `from` below
  // the first retained offset is served (nothing of this node's own was
  // dropped) instead of answered 410.
  core::Offset own_events_from = 1;
};

class LogbookApi {
 public:
  LogbookApi(uv_loop_t* loop, core::Registry& registry, WritePipeline& pipeline,
             const core::EventJournal& journal, const core::Clock& clock,
             LogbookApiOptions options);
  ~LogbookApi();

  void Handle(const Route& route, HttpRequest&& request, Responder responder);

  // Loop thread, after the durable offset advanced: wakes long-polls. A
  // parked replication pull wakes only once an event this node originated
  // is durable at or past its `from` (or at its deadline): other origins'
  // events alone would cost it a pool job and a log read for an empty
  // answer, several times per own event in a busy cluster.
  void OnDurableAdvanced();
  // Answers every parked long-poll now (shutdown).
  void ReleaseWaiters();
  // `reason` is the detail of /readyz's 503 while not ready.
  void set_ready(bool ready, std::string reason = "recovering") {
    ready_ = ready;
    not_ready_reason_ = std::move(reason);
  }
  // Long-polls of /logbook/v1/events parked now (metrics).
  std::size_t waiter_count() const { return waiters_.size(); }

 private:
  struct EventsQuery {
    core::Offset from = 1;
    std::size_t limit = 100;
    std::int64_t wait_ms = 0;
    std::vector<core::EventType> types;  // empty = all
    // /logbook/v1/replication/events: only self-originated events, binary.
    bool replication = false;
    // uv_now() when a long-poll ends; 0 until parked.
    std::uint64_t deadline = 0;
    // Replication: the `from` asked for (the scan starts later on a
    // bootstrapped log; the answer still covers it).
    core::Offset asked_from = 0;
  };
  struct Waiter;
  struct ReadJob;
  struct HistoryJob;

  void GetStatus(Responder responder);
  void GetEvents(const HttpRequest& request, Responder responder);
  void GetReplicationEvents(const HttpRequest& request, Responder responder);
  // Parks a long-poll until the durable offset reaches query.from (for a
  // replication pull: until an own event there is durable) or the deadline
  // passes.
  void Park(EventsQuery query, Responder responder);
  void StartRead(EventsQuery query, Responder responder);
  void FinishReplicationRead(ReadJob* job);
  // The headers every replication answer carries; `durable` is the durable
  // offset the answer speaks for.
  void SetReplicationHeaders(core::Offset from, core::Offset next, core::Offset durable,
                             HttpResponse& response) const;
  // See kMinFromHeader.
  core::Offset MinFrom() const;
  void FinishRead(ReadJob* job);
  void ReleaseWaiter(Waiter* waiter);
  void GetHistory(const HttpRequest& request, Responder responder);

  uv_loop_t* loop_;
  core::Registry& registry_;
  WritePipeline& pipeline_;
  const core::EventJournal& journal_;
  const core::Clock& clock_;
  LogbookApiOptions options_;
  core::TimestampMs started_ms_;  // for the dashboard's uptime
  bool ready_ = true;
  std::string not_ready_reason_ = "recovering";
  ReplicationSnapshotHandler snapshot_handler_;
  // Parked long-polls; each owns its timer and frees itself once closed.
  std::list<Waiter*> waiters_;
  // Offsets of events this node originated, applied and not yet known
  // durable, in order; and the highest one known durable (0: none since
  // start, and every parked pull waits past the durable end it found).
  std::deque<core::Offset> own_not_durable_;
  core::Offset own_durable_ = 0;
};

}  // namespace logbook::net
