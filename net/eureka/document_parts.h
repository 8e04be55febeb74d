#pragma once
// A cached document as a sequence of immutable parts: the envelope pieces
// and one part per application, whose bytes are its head, its instances'
// fragments (shared with the fragment cache, not copied) and its tail. From
// the parts come both encodings a reply needs without a flat copy of the
// plain bytes:
// - the plain body, a rope over the parts' bytes (PlainBody);
// - the gzip body, from one deflated piece per part (GzipBody): a new
//   version recompresses only the parts that changed, because a part whose
//   bytes did not change is the very same object (PartReuse).
// Format-agnostic: JSON and XML documents are parts the same way.
//
// Parts are immutable once built and hold only shared immutable bytes, so a
// document's parts may be read (compressed) on any thread.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "net/eureka/fragment.h"
#include "net/eureka/gzip.h"
#include "net/shared_body.h"

namespace logbook::net::eureka {

struct DocumentPart {
  std::string head;
  std::vector<FragmentRef> fragments;
  std::string_view separator;  // between fragments; static storage
  std::string tail;

  std::size_t size() const;
  bool SameBytesAs(const DocumentPart& other) const;
};
using PartRef = std::shared_ptr<const DocumentPart>;
using DocumentParts = std::vector<PartRef>;

// A part of bytes only (an envelope piece, a document encoded whole).
PartRef TextPart(std::string text);

// Hands out the previous version's part in place of a new one with the same
// bytes, so that its deflated piece is reused. Parts are told apart by their
// head (an application's names it).
class PartReuse {
 public:
  PartReuse() = default;
  explicit PartReuse(const DocumentParts& previous);
  PartRef Reuse(DocumentPart candidate) const;

 private:
  absl::flat_hash_map<std::string_view, const PartRef*> by_head_;
};

// The plain bytes of `parts`, in order, as a rope over them.
SharedBody PlainBody(const DocumentParts& parts);

// The deflated pieces of a document's parts, kept to compress the next
// version: a part met again (the same object, after the same parts) is not
// compressed again. Each piece is compressed with the few KiB before it as
// its dictionary: without it every application's first instance would be
// compressed from nothing, ~20% more bytes than the whole document at once.
//
// A gzip body is made in three steps so that the costly middle one can run
// on another thread (response_cache.h): Prepare (the owner's thread: which
// pieces are reused, which parts still need compressing), Plan::Run (any
// thread: deflate those parts, assemble the member), Install (the owner's
// thread: keep the plan's pieces for the next version). The plan holds
// references to every part it reads, and every part or piece it drops is
// released by Install or the plan's destructor, on the owner's thread.
class DeflatedParts {
  struct Entry;
  using Key = std::pair<const DocumentPart*, const DocumentPart*>;
  using Pieces = absl::flat_hash_map<Key, Entry>;

 public:
  class Plan;

  // What a gzip body of `parts` needs; changes nothing here.
  Plan Prepare(const DocumentParts& parts) const;
  // Keeps the pieces of `plan` (after its Run) for the next version and
  // forgets those of parts no longer used.
  void Install(Plan&& plan);

  // All three steps at once: one gzip member for `parts`. A document of one
  // part is compressed whole with libdeflate (nothing to reuse).
  std::string Gzip(const DocumentParts& parts, PieceDeflater& deflater);

  std::size_t bytes() const { return bytes_; }
  // Parts the last installed plan compressed (tests: a change recompresses little).
  std::size_t compressed_last() const { return compressed_last_; }

 private:
  // A part's piece is valid after the very bytes it was compressed after:
  // the parts before it (`context`, nearest first) that its dictionary
  // came from. Keyed by the part and the one before it.
  struct Entry {
    PartRef part;                                // held: no key address is reused meanwhile
    std::vector<PartRef> context;                // held for the same reason
    std::shared_ptr<const DeflatedPiece> piece;  // null until compressed
  };
  Pieces pieces_;
  std::size_t bytes_ = 0;
  std::size_t compressed_last_ = 0;
};

class DeflatedParts::Plan {
 public:
  Plan(Plan&&) = default;
  Plan& operator=(Plan&&) = default;
  ~Plan() = default;

  // Any thread, once: compresses the parts whose pieces are missing and
  // returns the gzip member of the whole document.
  std::string Run(PieceDeflater& deflater);

  // Plain bytes Run() will compress (where to run it is decided by this).
  std::size_t bytes_to_compress() const { return bytes_to_compress_; }
  // Parts (pieces) Run() will compress.
  std::size_t parts_to_compress() const { return parts_to_compress_; }

 private:
  friend class DeflatedParts;
  Plan() = default;

  DocumentParts parts_;     // held: Run() reads them
  bool whole_ = false;      // one part of text only: libdeflate, no pieces
  Pieces pieces_;           // every piece of the document, missing ones null
  std::vector<Key> order_;  // the document's pieces in order
  std::size_t bytes_to_compress_ = 0;
  std::size_t parts_to_compress_ = 0;
  std::size_t deflated_bytes_ = 0;  // after Run()
};

}  // namespace logbook::net::eureka
