#pragma once
// The log port: how net/ appends and reads events without knowing RocksDB.
// storage::EventLog implements it; app/ wires durability notifications to the
// loop's mailbox.
#include <cstddef>
#include <functional>
#include <string_view>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/peer_cursor.h"

namespace logbook::core {

class EventJournal {
 public:
  virtual ~EventJournal() = default;

  // Loop thread only. Gives each event the next offsets in order (and, when
  // origin_node is empty, this node's id and origin_offset = offset), then
  // queues them for the writer. Returns the last offset assigned. Fails,
  // assigning nothing, once a write or sync has failed (fail-stop), or with
  // ResourceExhausted while the disk is full: that one is transient, and the
  // offsets then continue after the last durable one (events queued but not
  // yet durable when the disk filled were dropped, never acknowledged).
  virtual absl::StatusOr<Offset> Append(std::span<Event> events) = 0;

  // Loop thread. Append() for events pulled from a peer: they keep their
  // origin_node/origin_offset, and `cursor` is written in the same atomic
  // batch as the events, so a crash leaves both or neither (exactly once,
  // docs/replication.md). An empty `events` still queues the cursor.
  virtual absl::StatusOr<Offset> AppendWithCursor(std::span<Event> events,
                                                  const PeerCursor& cursor) = 0;

  // Loop thread. Highest offset assigned so far and not dropped.
  virtual Offset last_offset() const = 0;

  // Any thread; blocks on RocksDB, so never call it on the loop. Reads up to
  // max_events durable events starting at `from` (fewer at the durable end).
  virtual absl::Status Read(Offset from, std::size_t max_events,
                            std::vector<Event>* out) const = 0;

  // Any thread, never the loop. Read() without decoding: visits the stored
  // bytes of up to max_events durable events from `from`, in order, until
  // `visit` returns false. The bytes are valid during the call only. A
  // journal that cannot (test doubles) answers Unimplemented and callers use
  // Read().
  virtual absl::Status ReadRaw(
      Offset from, std::size_t max_events,
      const std::function<bool(Offset, std::string_view)>& visit) const {
    (void)from;
    (void)max_events;
    (void)visit;
    return absl::UnimplementedError("raw reads");
  }

  // Any thread. Oldest offset still retained (1 on a fresh log).
  virtual Offset first_offset() const = 0;
};

}  // namespace logbook::core
