#include "net/replication/batch_chunks.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace logbook::net::replication {

std::vector<PulledBatch> SplitBatch(PulledBatch batch, std::size_t max_events) {
  max_events = std::max<std::size_t>(max_events, 1);
  std::vector<PulledBatch> chunks;
  const std::size_t total = batch.events.size();
  if (total <= max_events) {
    chunks.push_back(std::move(batch));
    return chunks;
  }
  // DecodeBatch gives one requirement list per event plus a trailing one;
  // tolerate a shorter vector (a hand-built batch) as "no requirements".
  batch.requirements.resize(total + 1);
  chunks.reserve((total + max_events - 1) / max_events);
  core::Offset from = batch.from;
  for (std::size_t start = 0; start < total; start += max_events) {
    const std::size_t end = std::min(start + max_events, total);
    const bool last = end == total;
    PulledBatch chunk;
    chunk.peer_node_id = batch.peer_node_id;
    chunk.peer_log_identity = batch.peer_log_identity;
    chunk.from = from;
    chunk.next = last ? batch.next : batch.events[end - 1].origin_offset + 1;
    chunk.events.assign(std::make_move_iterator(batch.events.begin() + start),
                        std::make_move_iterator(batch.events.begin() + end));
    chunk.requirements.assign(std::make_move_iterator(batch.requirements.begin() + start),
                              std::make_move_iterator(batch.requirements.begin() + end));
    chunk.requirements.push_back(last ? std::move(batch.requirements[total])
                                      : std::vector<Requirement>{});
    from = chunk.next;
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

}  // namespace logbook::net::replication
