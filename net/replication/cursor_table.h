#pragma once
// The peer cursors this node holds, by peer node id: loaded from the log at
// start, advanced by the ReplicationApplier on the loop thread as each pulled
// batch is appended, read by pullers to know where to resume.
//
// Thread: any (one mutex; entries are small values copied out).
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/peer_cursor.h"

namespace logbook::net::replication {

class CursorTable {
 public:
  explicit CursorTable(std::map<std::string, core::PeerCursor> initial)
      : cursors_(std::move(initial)) {}

  std::optional<core::PeerCursor> Get(const std::string& peer_node_id) const {
    absl::MutexLock lock(&mu_);
    auto it = cursors_.find(peer_node_id);
    if (it == cursors_.end()) return std::nullopt;
    return it->second;
  }
  void Set(const core::PeerCursor& cursor) {
    absl::MutexLock lock(&mu_);
    cursors_[cursor.peer_node_id] = cursor;
  }
  // Blocks until every (origin, offset) in `needed` is below the cursor held
  // for that origin, or `timeout` passed; true if they all are. Woken by
  // Set(), so a puller waiting on another peer's stream resumes as soon as
  // that stream is applied rather than after a fixed sleep: when two
  // streams depend on each other event by event (a node catching up on
  // peers that replicate each other), each alternation would otherwise cost
  // a whole sleep and the node could never catch up.
  bool AwaitPast(const std::vector<std::pair<std::string, core::Offset>>& needed,
                 absl::Duration timeout) const {
    const auto past = [this, &needed]() {
      for (const auto& [origin, offset] : needed) {
        auto it = cursors_.find(origin);
        if (it == cursors_.end() || it->second.next_offset <= offset) return false;
      }
      return true;
    };
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&past), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, core::PeerCursor> cursors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logbook::net::replication
