#pragma once
// Splits a pulled batch into consecutive chunks the loop applies one at a
// time (docs/replication.md, "Bounded"): a 10,000-event catch-up batch
// applied in one loop task would stall every request behind it. Each chunk
// is a batch of its own, with its own cursor, so committing chunk by chunk
// keeps the exactly-once rule (events and cursor in one WriteBatch).
//
// Thread: pure function; any thread.
#include <cstddef>
#include <vector>

#include "net/replication/replication_applier.h"

namespace logbook::net::replication {

// Chunk k covers [from_k, next_k): from_0 = batch.from, next_k = one past the
// origin offset of its last event, from_{k+1} = next_k, and the last chunk
// ends at batch.next with the batch's trailing requirements. Requirements
// stay with the event they precede, whose chunk range contains them.
// `max_events` of 0 counts as 1.
std::vector<PulledBatch> SplitBatch(PulledBatch batch, std::size_t max_events);

}  // namespace logbook::net::replication
