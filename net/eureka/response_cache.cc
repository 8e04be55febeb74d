#include "net/eureka/response_cache.h"

#include "net/eureka/gzip.h"

namespace logbook::net::eureka {

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
    entry.plain = std::make_shared<const std::string>(build());
    entry.gzip = nullptr;
  }
  if (!gzip) return entry.plain;
  if (entry.gzip == nullptr) entry.gzip = std::make_shared<const std::string>(GzipCompress(*entry.plain));
  return entry.gzip;
}

}  // namespace logbook::net::eureka
