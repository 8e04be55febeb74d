#pragma once
// The event's byte encoding as a port, so net/ can put events on the
// replication wire in the log's own format (docs/log-format.md, "Event
// values") without including storage/. storage::StorageEventCodec implements
// it; app/ passes it to net/.
//
// Thread: implementations are stateless; any thread.
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/ids.h"

namespace logbook::core {

// Where an encoded event was decided, read without decoding the rest.
struct EventOrigin {
  std::string_view node;  // points into the encoded bytes
  Offset offset = kNoOffset;
};

class EventCodec {
 public:
  virtual ~EventCodec() = default;
  // Appends the encoding of `event` (every field but `offset`) to *out.
  virtual void Encode(const Event& event, std::string* out) const = 0;
  // DataLoss on a checksum mismatch or damaged bytes, InvalidArgument on an
  // unknown version; the message names `offset`, which the result carries.
  virtual absl::StatusOr<Event> Decode(std::string_view bytes, Offset offset) const = 0;
  // The origin of an encoded event, after the same integrity checks as
  // Decode (checksum, version) but without decoding the rest: a replication
  // read serves the stored bytes of its own events as they are.
  virtual absl::StatusOr<EventOrigin> PeekOrigin(std::string_view bytes, Offset offset) const = 0;
};

}  // namespace logbook::core
