#include "net/eureka/response_cache.h"

#include "net/eureka/gzip.h"

namespace logbook::net::eureka {
namespace {

// Below this a copy into the socket costs less than the extra syscall of a
// separate sendfile(), and memfds stay few (one per big document).
constexpr std::size_t kFileBackedMinBytes = 64 * 1024;

}  // namespace

ResponseCache::Body ResponseCache::Get(const std::string& key, std::uint64_t version, bool gzip,
                                       absl::FunctionRef<std::string()> build,
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
    entry.plain = MakeSharedBody(build(), /*file_backed=*/false);
    entry.gzip = Body{};
  }
  if (!gzip) return entry.plain;
  if (entry.gzip.bytes == nullptr) {
    std::string compressed = GzipCompress(*entry.plain.bytes);
    const bool file_backed = compressed.size() >= kFileBackedMinBytes;
    entry.gzip = MakeSharedBody(std::move(compressed), file_backed);
  }
  return entry.gzip;
}

}  // namespace logbook::net::eureka
