#pragma once
// A small string -> string map for the metadata of an instance: a sorted
// vector of CompactString pairs instead of a std::map (48 bytes inline and a
// ~100-byte tree node per entry; instances carry a handful of entries).
// Iteration is in key byte order, as std::map<std::string, std::string>'s,
// so every encoder writes the same bytes as before. The subset of std::map's
// API the codebase uses: find, at, contains, operator[], insert_or_assign,
// erase, clear, size, empty, iteration.
#include <algorithm>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/compact_string.h"

namespace logbook::core {

class CompactStringMap {
 public:
  using key_type = CompactString;
  using mapped_type = CompactString;
  using value_type = std::pair<CompactString, CompactString>;
  using const_iterator = std::vector<value_type>::const_iterator;
  using iterator = const_iterator;  // keys must stay sorted: no writes through iterators

  CompactStringMap() = default;
  CompactStringMap(std::initializer_list<std::pair<std::string_view, std::string_view>> entries) {
    for (const auto& [key, value] : entries) insert_or_assign(key, value);
  }
  CompactStringMap(const std::map<std::string, std::string>& map) {  // NOLINT: implicit on purpose
    entries_.reserve(map.size());
    for (const auto& [key, value] : map) entries_.emplace_back(key, value);
  }

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }

  const_iterator find(std::string_view key) const noexcept {
    const auto it = LowerBound(key);
    return it != entries_.end() && it->first.view() == key ? it : entries_.end();
  }
  bool contains(std::string_view key) const noexcept { return find(key) != end(); }
  // REQUIRES: contains(key).
  const CompactString& at(std::string_view key) const;

  // As std::map's: a missing key is inserted with an empty (present) value.
  CompactString& operator[](std::string_view key);
  void insert_or_assign(std::string_view key, CompactString value) {
    (*this)[key] = std::move(value);
  }
  std::size_t erase(std::string_view key);
  void clear() noexcept { entries_.clear(); }
  // Found by argument-dependent lookup, as std::erase_if is for std::map.
  // Removing entries keeps the others in order.
  template <typename Predicate>
  friend std::size_t erase_if(CompactStringMap& map, Predicate predicate) {
    return std::erase_if(map.entries_, predicate);
  }

  friend bool operator==(const CompactStringMap&, const CompactStringMap&) = default;
  friend bool operator==(const CompactStringMap& a, const std::map<std::string, std::string>& b) {
    return a == CompactStringMap(b);
  }

 private:
  std::vector<value_type>::const_iterator LowerBound(std::string_view key) const noexcept {
    return std::lower_bound(entries_.begin(), entries_.end(), key,
                            [](const value_type& entry, std::string_view wanted) {
                              return entry.first.view() < wanted;
                            });
  }

  std::vector<value_type> entries_;
};

}  // namespace logbook::core
