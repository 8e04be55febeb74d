#pragma once
// The peer cursors this node holds, by peer node id: loaded from the log at
// start, advanced by the ReplicationApplier on the loop thread as each pulled
// batch is appended, read by pullers to know where to resume.
//
// Thread: any (one mutex; entries are small values copied out).
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
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

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, core::PeerCursor> cursors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace logbook::net::replication
