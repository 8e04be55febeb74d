#include "storage/event_key.h"

namespace logbook::storage {

std::string EventKey(core::Offset offset) {
  std::string key(kEventKeySize, '\0');
  for (std::size_t i = 0; i < kEventKeySize; ++i) {
    key[kEventKeySize - 1 - i] = static_cast<char>((offset >> (8 * i)) & 0xFF);
  }
  return key;
}

std::optional<core::Offset> ParseEventKey(std::string_view key) {
  if (key.size() != kEventKeySize) return std::nullopt;
  core::Offset offset = 0;
  for (const char byte : key) offset = (offset << 8) | static_cast<unsigned char>(byte);
  return offset;
}

}  // namespace logbook::storage
