#pragma once
// Encoded instances, one per registered instance and wire format, re-encoded
// only when the instance's record changes (a new last_change_offset): a
// renewal leaves its fragments, and so every document assembled from them,
// as they were. The cached documents (full registry, per-app, VIP) are
// parts that reference fragments (fragment_documents.h), never encoding
// every field again nor copying it. A format's fragments are made the first time a
// document in that format is asked for, so a fleet that reads only JSON
// holds no XML.
//
// A fragment shows ShownLease (documents.h), whose lastRenewalTimestamp a
// bare renewal does not move: so a fragment is a function of the record's
// state and never goes stale while its last_change_offset stays.
//
// Thread: loop thread only.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "core/instance.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/fragment.h"

namespace logbook::net::eureka {

// One instance in one wire format, as the documents place it.
enum class FragmentFormat : std::uint8_t {
  kJson,               // the bare instance object (§3.3), actionType included
  kXmlInApplications,  // <instance> two levels down: full registry and VIP documents
  kXmlInApplication,   // <instance> one level down: the per-app document
  kCompactJson,        // the compact instance object (§3.5)
  kCompactXml,         // the compact <instance> element (no layout, so any depth)
};
inline constexpr std::size_t kFragmentFormats = 5;

class FragmentCache {
 public:
  // Fragments are shared: cached documents reference them, and one outlives
  // its replacement by a newer version for as long as they do. A new object
  // for every change, so the same object means the same bytes.
  // REQUIRES (every accessor): `record` lives in the registry (its address
  // identifies it until it is removed; its last_change_offset tells whether
  // it changed).
  FragmentRef Json(const core::InstanceRecord& record);
  // The <instance> element at `depth` (1 or 2) of an XML document, starting
  // with its line break and indent (XmlWriter::Raw).
  FragmentRef Xml(const core::InstanceRecord& record, int depth);
  // The compact flavour's (§3.5), made only once a compact document is asked for.
  FragmentRef CompactJson(const core::InstanceRecord& record);
  FragmentRef CompactXml(const core::InstanceRecord& record);

  // Forgets fragments of records no longer reached since the last call: at
  // most `live_instances` per format are kept once a format has grown past
  // twice that.
  void Prune(std::size_t live_instances);
  // Forgets everything: the registry was rebuilt and offsets may repeat.
  void Clear();

  std::size_t size() const;  // fragments held, every format
  std::size_t size(FragmentFormat format) const { return shelf(format).entries.size(); }
  std::size_t bytes() const;  // encoded bytes, own and template alike
  std::size_t templates() const { return templates_.size(); }
  // Fragments encoded since construction (tests: what a renewal costs).
  std::uint64_t encodes() const;

 private:
  struct Entry {
    core::Offset offset = core::kNoOffset;
    std::uint64_t touched = 0;  // prune generation that last reached it
    FragmentRef text;
  };
  // One format's fragments.
  struct Shelf {
    absl::flat_hash_map<const core::InstanceRecord*, Entry> entries;
    std::size_t bytes = 0;
    std::uint64_t encodes = 0;
  };

  // The fragment of `record` on `format`'s shelf, made by `encode` (which
  // appends to its argument) when missing or stale.
  FragmentRef Get(FragmentFormat format, const core::InstanceRecord& record,
                  absl::FunctionRef<void(std::string*)> encode);
  Shelf& shelf(FragmentFormat format) { return shelves_[static_cast<std::size_t>(format)]; }
  const Shelf& shelf(FragmentFormat format) const {
    return shelves_[static_cast<std::size_t>(format)];
  }

  std::array<Shelf, kFragmentFormats> shelves_;
  FragmentTemplates templates_;
  std::uint64_t generation_ = 1;
};

}  // namespace logbook::net::eureka
