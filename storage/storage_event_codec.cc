#include "storage/storage_event_codec.h"

#include "storage/event_codec.h"

namespace logbook::storage {

void StorageEventCodec::Encode(const core::Event& event, std::string* out) const {
  EncodeEvent(event, out);
}

absl::StatusOr<core::Event> StorageEventCodec::Decode(std::string_view bytes,
                                                      core::Offset offset) const {
  return DecodeEvent(bytes, offset);
}

absl::StatusOr<core::EventOrigin> StorageEventCodec::PeekOrigin(std::string_view bytes,
                                                                core::Offset offset) const {
  return PeekEventOrigin(bytes, offset);
}

}  // namespace logbook::storage
