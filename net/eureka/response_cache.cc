#include "net/eureka/response_cache.h"

namespace logbook::net::eureka {
namespace {

// Below this a copy into the socket costs less than the extra syscall of a
// separate sendfile(), and memfds stay few (one per big document).
constexpr std::size_t kFileBackedMinBytes = 64 * 1024;

}  // namespace

SharedBody ResponseCache::Get(const std::string& key, std::uint64_t version, bool gzip,
                              absl::FunctionRef<DocumentParts(const PartReuse&)> build,
                              std::uint64_t variant) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // Dropping everything is crude but bounded; hot keys refill at once.
    if (entries_.size() >= max_entries_) entries_.clear();
    it = entries_.emplace(key, Entry{}).first;
    it->second.version = version + 1;  // forces a build below
  }
  Entry& entry = it->second;
  if (entry.version != version || entry.variant != variant) {
    entry.version = version;
    entry.variant = variant;
    entry.parts = build(PartReuse(entry.parts));
    entry.plain = PlainBody(entry.parts);
    entry.gzip = SharedBody();
  }
  if (!gzip) return entry.plain;
  if (!entry.gzip) {
    std::string compressed = entry.deflated.Gzip(entry.parts, deflater_);
    const bool file_backed = compressed.size() >= kFileBackedMinBytes;
    entry.gzip = MakeSharedBody(std::move(compressed), file_backed);
  }
  return entry.gzip;
}

std::size_t ResponseCache::deflated_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [key, entry] : entries_) bytes += entry.deflated.bytes();
  return bytes;
}

}  // namespace logbook::net::eureka
