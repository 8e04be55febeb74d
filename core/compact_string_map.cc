#include "core/compact_string_map.h"

#include "core/status.h"

namespace logbook::core {

const CompactString& CompactStringMap::at(std::string_view key) const {
  const auto it = find(key);
  LOGBOOK_CHECK(it != end());
  return it->second;
}

CompactString& CompactStringMap::operator[](std::string_view key) {
  const auto position = entries_.begin() + (LowerBound(key) - entries_.cbegin());
  if (position != entries_.end() && position->first.view() == key) return position->second;
  // The key is copied before the vector may move: `key` may view an entry.
  value_type entry{CompactString(key), CompactString(std::string_view())};
  return entries_.insert(position, std::move(entry))->second;
}

std::size_t CompactStringMap::erase(std::string_view key) {
  const auto it = find(key);
  if (it == end()) return 0;
  entries_.erase(it);
  return 1;
}

}  // namespace logbook::core
