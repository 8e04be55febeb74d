#pragma once
// Encoded instance objects, one per registered instance, re-encoded only when
// the instance's record changes (a new last_change_offset): a renewal leaves
// its fragment, and so every document assembled from it, as it was. The
// cached documents (full registry, per-app, VIP) reference fragments
// (fragment_documents.h), never encoding every field again.
//
// A fragment shows ShownRenewalTimestamp (documents.h) for
// leaseInfo.lastRenewalTimestamp, which a bare renewal does not move: so a
// fragment is a function of the record's state and never goes stale while
// its last_change_offset stays.
//
// Thread: loop thread only.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "core/instance.h"

namespace logbook::net::eureka {

class FragmentCache {
 public:
  // The bare JSON instance object of `record` (§3.3, actionType included),
  // shared: cached documents reference it, and it outlives its replacement
  // by a newer version for as long as they do. A new object for every
  // change, so the same object means the same bytes.
  // REQUIRES: `record` lives in the registry (its address identifies it until
  // it is removed; its last_change_offset tells whether it changed).
  std::shared_ptr<const std::string> Json(const core::InstanceRecord& record);

  // Forgets fragments of records no longer reached since the last call: at
  // most `live_instances` are kept once the cache has grown past twice that.
  void Prune(std::size_t live_instances);
  // Forgets everything: the registry was rebuilt and offsets may repeat.
  void Clear() { entries_.clear(); }

  std::size_t size() const { return entries_.size(); }
  std::size_t bytes() const { return bytes_; }
  // Fragments encoded since construction (tests: what a renewal costs).
  std::uint64_t encodes() const { return encodes_; }

 private:
  struct Entry {
    core::Offset offset = core::kNoOffset;
    std::uint64_t touched = 0;  // prune generation that last reached it
    std::shared_ptr<const std::string> json;
  };
  absl::flat_hash_map<const core::InstanceRecord*, Entry> entries_;
  std::uint64_t generation_ = 1;
  std::size_t bytes_ = 0;
  std::uint64_t encodes_ = 0;
};

}  // namespace logbook::net::eureka
