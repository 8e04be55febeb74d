#include "net/replication/eureka_push_queue.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace logbook::net::replication {

std::string PushKey(const eureka::OutgoingReplicationItem& item) {
  return absl::StrCat(item.action, "#", item.app_name, "/", item.id);
}

EurekaPushQueue::List& EurekaPushQueue::ListFor(const QueuedPushItem& item) {
  return item.item.action == "Heartbeat" ? heartbeats_ : others_;
}

EurekaPushQueue::List* EurekaPushQueue::OldestList() {
  if (heartbeats_.empty()) return others_.empty() ? nullptr : &others_;
  if (others_.empty()) return &heartbeats_;
  return heartbeats_.front().sequence < others_.front().sequence ? &heartbeats_ : &others_;
}

void EurekaPushQueue::Erase(List& list, List::iterator it) {
  by_key_.erase(it->key);
  list.erase(it);
}

std::size_t EurekaPushQueue::Push(eureka::OutgoingReplicationItem item,
                                  std::chrono::steady_clock::time_point now) {
  QueuedPushItem queued{PushKey(item), next_sequence_++, std::move(item), now};
  if (auto found = by_key_.find(queued.key); found != by_key_.end()) {
    Erase(ListFor(*found->second), found->second);
  }
  List& list = ListFor(queued);
  list.push_back(std::move(queued));
  by_key_.emplace(list.back().key, std::prev(list.end()));
  return TrimToCapacity();
}

std::vector<QueuedPushItem> EurekaPushQueue::Take(std::size_t max_items) {
  std::vector<QueuedPushItem> taken;
  while (taken.size() < max_items) {
    List* list = OldestList();
    if (list == nullptr) break;
    by_key_.erase(list->front().key);
    taken.push_back(std::move(list->front()));
    list->pop_front();
  }
  return taken;
}

std::size_t EurekaPushQueue::Requeue(std::vector<QueuedPushItem> items) {
  // Backwards, each to the front with a sequence below every queued one:
  // the original order is kept, ahead of what was queued meanwhile.
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (by_key_.contains(it->key)) continue;  // superseded by a newer item
    it->sequence = next_front_sequence_--;
    List& list = ListFor(*it);
    list.push_front(std::move(*it));
    by_key_.emplace(list.front().key, list.begin());
  }
  return TrimToCapacity();
}

std::optional<std::chrono::steady_clock::time_point> EurekaPushQueue::oldest() const {
  const List* list = const_cast<EurekaPushQueue*>(this)->OldestList();
  if (list == nullptr) return std::nullopt;
  return list->front().enqueued;
}

std::size_t EurekaPushQueue::TrimToCapacity() {
  std::size_t dropped = 0;
  while (size() > capacity_) {
    // A heartbeat is the cheapest loss: the instance's next renewal repeats
    // it, and a peer that lacks the instance then asks for a register (404).
    List& list = heartbeats_.empty() ? others_ : heartbeats_;
    Erase(list, list.begin());
    ++dropped;
  }
  return dropped;
}

}  // namespace logbook::net::replication
