#pragma once
// Replication from Logbook peers (docs/replication.md): one PeerPuller per
// peer URL, the cursor table they share and the applier that commits their
// batches on the loop.
//
// Thread: Create/Start/Stop on the loop thread; Statuses()/CaughtUp() from
// any thread.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/event_codec.h"
#include "core/peer_cursor.h"
#include "net/loop_mailbox.h"
#include "net/replication/cursor_table.h"
#include "net/replication/peer_puller.h"
#include "net/replication/peer_status.h"
#include "net/replication/replication_applier.h"
#include "net/replication/snapshot_merger.h"
#include "net/write_pipeline.h"

namespace logbook::net::replication {

struct ReplicatorOptions {
  // May carry user:password@ (sent as Basic auth, shown masked in status).
  std::vector<std::string> peer_urls;
  // Authorization header value for peers whose URL has no credentials
  // (logbook.auth.peer-credentials); "" = none.
  std::string default_authorization;
  PullerOptions puller;
  // Merging a peer's snapshot when its log cannot be pulled; without it
  // (not enabled()) such a peer stays needs_snapshot.
  SnapshotMergeContext merge;
  SnapshotMergeOptions merge_options;
};

class Replicator {
 public:
  // InvalidArgument naming a peer URL that cannot be pulled from. Everything
  // passed by reference must outlive the Replicator.
  static absl::StatusOr<std::unique_ptr<Replicator>> Create(
      ReplicatorOptions options, std::string self,
      std::map<std::string, core::PeerCursor> initial_cursors, LoopMailbox& mailbox,
      WritePipeline& pipeline, const core::EventCodec& codec, std::uint64_t seed);
  ~Replicator();

  void Start();
  // Stops every puller (joins them) and refuses batches still queued.
  // Idempotent.
  void Stop();

  std::vector<PeerStatus> Statuses() const;
  // True once every peer was caught up with at least once, or is not
  // reachable (a dead peer must not hold the evictor back forever): the
  // restart grace of ARCHITECTURE.md §5 waits for this.
  bool CaughtUp() const;

 private:
  Replicator(std::map<std::string, core::PeerCursor> cursors, WritePipeline& pipeline,
             std::string self);

  CursorTable cursors_;
  ReplicationApplier applier_;
  std::unique_ptr<SnapshotMerger> merger_;  // null: merging is off
  std::vector<std::unique_ptr<PeerPuller>> pullers_;
};

}  // namespace logbook::net::replication
