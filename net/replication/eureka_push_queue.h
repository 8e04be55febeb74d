#pragma once
// The items waiting to be pushed to one stock Eureka peer (docs/replication.md,
// "Mixed clusters"). As in Eureka's batching dispatcher, items are keyed
// "action#APP/ID" and a newer item replaces a pending one with the same key;
// unlike Eureka, the newer item moves to the back, so that the peer sees the
// latest actions in the order they happened (register, cancel, register
// must not arrive as register, register, cancel).
//
// Bounded: beyond `capacity` the oldest heartbeat is dropped first (the next
// renewal repeats it), else the oldest item. Drops are counted by the caller.
//
// Thread: not thread-safe; EurekaPeerPusher guards it with its mutex.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "net/eureka/eureka_json.h"

namespace logbook::net::replication {

struct QueuedPushItem {
  std::string key;
  std::int64_t sequence = 0;  // queue order across both lists (requeued: negative)
  eureka::OutgoingReplicationItem item;
  std::chrono::steady_clock::time_point enqueued;
};

class EurekaPushQueue {
 public:
  explicit EurekaPushQueue(std::size_t capacity) : capacity_(capacity) {}

  // Appends `item` (replacing a pending one with the same key). Returns how
  // many items were dropped to stay within capacity.
  std::size_t Push(eureka::OutgoingReplicationItem item,
                   std::chrono::steady_clock::time_point now);
  // Removes and returns up to `max_items` from the front (oldest first).
  std::vector<QueuedPushItem> Take(std::size_t max_items);
  // Puts back items taken by Take() whose send failed, in front of the
  // rest; an item whose key was queued again since is superseded and left
  // out. Returns how many items were dropped to stay within capacity.
  std::size_t Requeue(std::vector<QueuedPushItem> items);

  std::size_t size() const { return heartbeats_.size() + others_.size(); }
  bool empty() const { return size() == 0; }
  // When the oldest pending item was queued.
  std::optional<std::chrono::steady_clock::time_point> oldest() const;

 private:
  using List = std::list<QueuedPushItem>;
  List& ListFor(const QueuedPushItem& item);
  // The list whose front is the oldest item; null when empty.
  List* OldestList();
  void Erase(List& list, List::iterator it);
  std::size_t TrimToCapacity();

  std::size_t capacity_;
  std::int64_t next_sequence_ = 1;
  std::int64_t next_front_sequence_ = 0;   // requeued items go before everything
  // Two lists, each oldest first, so that dropping the oldest heartbeat
  // costs O(1) however many other items wait.
  List heartbeats_;
  List others_;
  absl::flat_hash_map<std::string, List::iterator> by_key_;
};

// "Heartbeat#ORDERS/o1".
std::string PushKey(const eureka::OutgoingReplicationItem& item);

}  // namespace logbook::net::replication
