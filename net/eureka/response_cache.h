#pragma once
// Encoded read responses keyed by document and registry version (Part A:
// a read reflects every acknowledged write; no 30 s staleness). gzip is done
// once per version, on first request. Bodies are immutable and shared: a
// reply holds a reference until it is written, so serving one copies nothing
// and a new version can replace an entry while older replies are in flight.
// Big gzip bodies (what clients fetch) are also file-backed, for sendfile().
//
// Thread: loop thread only.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "net/shared_body.h"

namespace logbook::net::eureka {

class ResponseCache {
 public:
  // Client-chosen names (VIPs, apps) must not grow the cache without bound.
  explicit ResponseCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

  using Body = SharedBody;

  // The body for `key` at `version` (and `variant`: what else the document
  // depends on, e.g. how many delta-window entries are still in the window),
  // building it with `build` on a miss.
  Body Get(const std::string& key, std::uint64_t version, bool gzip,
           absl::FunctionRef<std::string()> build, std::uint64_t variant = 0);
  // Forgets every body: the registry was replaced, so a version number may
  // come back with other contents.
  void Clear() { entries_.clear(); }

 private:
  struct Entry {
    std::uint64_t version = 0;
    std::uint64_t variant = 0;
    Body plain;
    Body gzip;  // bytes null until first asked for
  };
  std::size_t max_entries_;
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace logbook::net::eureka
