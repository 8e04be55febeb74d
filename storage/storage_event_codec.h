#pragma once
// core::EventCodec backed by storage/event_codec: what app/ hands net/ so
// replication ships events in the log's own bytes.
#include "core/event_codec.h"

namespace logbook::storage {

class StorageEventCodec final : public core::EventCodec {
 public:
  void Encode(const core::Event& event, std::string* out) const override;
  absl::StatusOr<core::Event> Decode(std::string_view bytes, core::Offset offset) const override;
  absl::StatusOr<core::EventOrigin> PeekOrigin(std::string_view bytes,
                                               core::Offset offset) const override;
};

}  // namespace logbook::storage
