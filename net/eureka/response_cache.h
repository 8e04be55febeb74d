#pragma once
// Encoded read responses keyed by document and registry version (Part A:
// a read reflects every acknowledged write; no 30 s staleness). A document
// is kept as its parts (document_parts.h): the plain body is a rope over
// them and copies none of their bytes; the gzip body is made once per
// version, on first request, recompressing only the parts that changed
// since the previous version of the same document. Bodies are immutable and
// shared: a reply holds a reference until it is written, so a new version
// can replace an entry while older replies are in flight. Big gzip bodies
// (what clients fetch) are file-backed, for sendfile().
//
// Thread: loop thread only.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/gzip.h"
#include "net/shared_body.h"

namespace logbook::net::eureka {

class ResponseCache {
 public:
  // Client-chosen names (VIPs, apps) must not grow the cache without bound.
  explicit ResponseCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}

  // The body for `key` at `version` (and `variant`: what else the document
  // depends on, e.g. how many delta-window entries are still in the window),
  // building its parts with `build` on a miss; `build` is handed the
  // previous version's parts to reuse.
  SharedBody Get(const std::string& key, std::uint64_t version, bool gzip,
                 absl::FunctionRef<DocumentParts(const PartReuse&)> build,
                 std::uint64_t variant = 0);
  // Forgets every body: the registry was replaced, so a version number may
  // come back with other contents.
  void Clear() { entries_.clear(); }

  // Bytes of the deflated pieces kept for the next versions (metrics).
  std::size_t deflated_bytes() const;

 private:
  struct Entry {
    std::uint64_t version = 0;
    std::uint64_t variant = 0;
    DocumentParts parts;
    SharedBody plain;
    SharedBody gzip;  // absent until first asked for
    DeflatedParts deflated;
  };
  std::size_t max_entries_;
  absl::flat_hash_map<std::string, Entry> entries_;
  PieceDeflater deflater_;
};

}  // namespace logbook::net::eureka
