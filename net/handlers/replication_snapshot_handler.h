#pragma once
// GET /logbook/v1/replication/snapshot (docs/replication.md, "Snapshot
// transfer"): this node's registry as of its last durable offset with the
// cursors that state implies, for a peer that bootstraps or lost its place.
// The export (decode the newest snapshot, replay the tail, encode) runs on
// libuv's thread pool, one at a time: a second request meanwhile gets 503
// with Retry-After rather than a second copy of the registry in memory.
//
// Thread: loop thread only; the export function runs on the pool.
#include <functional>
#include <string>

#include <uv.h>

#include "absl/status/statusor.h"
#include "net/http_server.h"
#include "net/replication/snapshot_wire.h"

namespace logbook::net {

// Called on a pool thread; must not touch loop-owned state. A transfer with
// offset 0 means the log is empty (answered 200 with an empty body).
using SnapshotExport = std::function<absl::StatusOr<replication::SnapshotTransfer>()>;

class ReplicationSnapshotHandler {
 public:
  // A null `export_snapshot` answers 503. The handler must outlive every
  // request it started (the server answers all of them before it stops).
  ReplicationSnapshotHandler(uv_loop_t* loop, SnapshotExport export_snapshot, std::string node_id,
                             std::string log_identity);

  void Handle(Responder responder);

 private:
  struct Job;
  void Finish(Job* job);

  uv_loop_t* loop_;
  SnapshotExport export_;
  std::string node_id_;
  std::string log_identity_;
  bool exporting_ = false;
};

}  // namespace logbook::net
