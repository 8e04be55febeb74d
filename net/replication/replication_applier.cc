#include "net/replication/replication_applier.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace logbook::net::replication {

bool ReplicationApplier::Meets(const Requirement& requirement) const {
  if (requirement.origin == self_) return true;
  const std::optional<core::PeerCursor> held = cursors_.Get(requirement.origin);
  return held.has_value() && held->next_offset > requirement.origin_offset;
}

void ReplicationApplier::Apply(PulledBatch batch, BatchDone done) {
  if (stopped_) return std::move(done)(absl::CancelledError("replication stopped"));
  if (batch.peer_node_id == self_) {
    return std::move(done)(absl::InvalidArgumentError("a batch from this node itself"));
  }
  const std::optional<core::PeerCursor> held = cursors_.Get(batch.peer_node_id);
  // A new peer, or a new history of a known one (wiped data dir), starts at
  // its first offset; anything else must continue exactly where we are.
  const bool same_history = held.has_value() && held->peer_log_identity == batch.peer_log_identity;
  const core::Offset expected = same_history ? held->next_offset : 1;
  if (batch.from != expected || batch.next < batch.from) {
    return std::move(done)(absl::FailedPreconditionError(
        absl::StrCat("batch [", batch.from, ", ", batch.next, ") from ", batch.peer_node_id,
                     " does not continue the cursor at ", expected)));
  }
  for (core::Event& event : batch.events) {
    // Never trusted blindly: a batch mixing origins would break the
    // one-cursor-per-origin rule that makes apply exactly once.
    if (event.origin_node != batch.peer_node_id || event.origin_offset < batch.from ||
        event.origin_offset >= batch.next) {
      return std::move(done)(absl::InvalidArgumentError(
          absl::StrCat("event ", event.origin_node, "/", event.origin_offset,
                       " is not in the batch's range of ", batch.peer_node_id)));
    }
    event.offset = core::kNoOffset;
    event.source = core::EventSource::kLogbookPeer;
  }
  // Causality: apply only the prefix whose requirements we meet; the cursor
  // stops at the first unmet one, so the next pull resumes right there.
  core::Offset next = batch.next;
  std::size_t applicable = batch.events.size();
  for (std::size_t i = 0; i < batch.requirements.size() && next == batch.next; ++i) {
    for (const Requirement& requirement : batch.requirements[i]) {
      if (!Meets(requirement)) {
        next = requirement.offset;
        applicable = std::min(i, batch.events.size());
        break;
      }
    }
  }
  if (next == batch.from && batch.next > batch.from) {
    return std::move(done)(absl::UnavailableError(
        absl::StrCat("waiting for events of other origins that ", batch.peer_node_id,
                     " had applied first")));
  }
  batch.events.resize(applicable);
  const core::PeerCursor cursor{batch.peer_node_id, batch.peer_log_identity, next};
  // Held from the append on: the events are applied now, and a failed write
  // stops the node (fail-stop), so memory never runs ahead of a live log.
  cursors_.Set(cursor);
  pipeline_.CommitReplicated(std::move(batch.events), cursor, std::move(done));
}

}  // namespace logbook::net::replication
