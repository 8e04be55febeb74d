#pragma once
// The loop-thread end of replication: takes a batch a puller decoded, checks
// it continues the cursor this node holds for that peer, and commits the
// events with the advanced cursor in one atomic append (exactly once,
// docs/replication.md). The registry applies them under the peer conflict
// rules (core::Registry::Apply, source kLogbookPeer).
//
// Thread: loop thread only (Apply, Stop); `done` runs on the loop thread.
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "core/event.h"
#include "core/peer_cursor.h"
#include "net/replication/cursor_table.h"
#include "net/replication/replication_wire.h"
#include "net/write_pipeline.h"

namespace logbook::net::replication {

struct PulledBatch {
  core::NodeId peer_node_id;
  std::string peer_log_identity;
  core::Offset from = 1;  // the range of the peer's log it covers: [from, next)
  core::Offset next = 1;
  std::vector<core::Event> events;  // as decoded: origin set, offsets are the peer's
  // requirements[i] precede events[i]; the last entry precedes `next`.
  std::vector<std::vector<Requirement>> requirements;
};

// OK once the batch (or the prefix of it whose requirements this node meets;
// the cursor then stops at the first unmet one) is durable; Unavailable when
// not even its first item's requirements are met (nothing appended: pull
// again once the other peers advanced); FailedPrecondition when it does not
// continue the held cursor (nothing appended: the puller re-reads the
// cursor); Cancelled after Stop(); otherwise the log's failure.
using BatchDone = absl::AnyInvocable<void(absl::Status) &&>;

class ReplicationApplier {
 public:
  ReplicationApplier(WritePipeline& pipeline, CursorTable& cursors, core::NodeId self)
      : pipeline_(pipeline), cursors_(cursors), self_(std::move(self)) {}

  void Apply(PulledBatch batch, BatchDone done);
  // Any thread: whether this node holds `requirement`'s origin that far.
  bool Meets(const Requirement& requirement) const;
  // Later batches are refused with Cancelled (shutdown: the log is closing).
  void Stop() { stopped_ = true; }

 private:
  WritePipeline& pipeline_;
  CursorTable& cursors_;
  const core::NodeId self_;
  bool stopped_ = false;
};

}  // namespace logbook::net::replication
