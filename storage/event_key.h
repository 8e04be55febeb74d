#pragma once
// Keys of the `events` column family: the offset as 8 bytes big-endian, so
// RocksDB's bytewise order is offset order (docs/log-format.md, "Keys").
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"

namespace logbook::storage {

inline constexpr std::size_t kEventKeySize = 8;

std::string EventKey(core::Offset offset);
// nullopt unless `key` is exactly kEventKeySize bytes.
std::optional<core::Offset> ParseEventKey(std::string_view key);

}  // namespace logbook::storage
