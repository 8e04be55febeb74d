#pragma once
// One instance encoded in one wire format, held as the bytes that set it
// apart from other instances plus a template, shared with them, of the text
// around those bytes.
//
// Of an instance's ~0.9 KB of JSON (~1.5 KB of XML) most bytes are the same
// for every instance of an application: field names and markup, ports, data
// center, lease settings, VIPs, status. What differs is the instance's
// identity (instance id, host name, IP address, which also appear inside its
// URLs) and its timestamps. A Fragment keeps those spans as its own bytes and
// points at a FragmentTemplate holding the text between them, which every
// fragment with the same text between its spans shares: 100,000 instances
// in 2,000 applications hold their constant text ~2,000 times, not 100,000
// (issue 6, memory row).
//
// The bytes are the encoder's, unchanged: the split is made after encoding,
// and every split gives back the same bytes, so a poor split (a value that
// differs per instance but was not recognised as the instance's own) costs
// memory, never correctness.
//
// Immutable once made; shared by the fragment cache, document parts and the
// replies in flight, which may drop them on any thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "core/compact_string.h"

namespace logbook::net::eureka {

// The text of a fragment outside its own spans: `runs` + 1 pieces, the first
// before its first own span, the last after its last.
struct FragmentTemplate {
  std::string text;                 // the pieces, concatenated
  std::vector<std::uint32_t> ends;  // where each piece ends in `text`
  bool operator==(const FragmentTemplate&) const = default;
};

class Fragment {
 public:
  // Bytes held whole, without a template (an encoding made for one document).
  static std::shared_ptr<const Fragment> Whole(std::string_view text);

  std::size_t size() const { return size_; }
  // The bytes in order, as non-empty slices.
  template <typename Emit>
  void ForEachSlice(Emit&& emit) const {
    const std::string_view own = own_.view();
    if (template_ == nullptr) {
      if (!own.empty()) emit(own);
      return;
    }
    const std::string_view text = template_->text;
    std::size_t piece_begin = 0;
    std::size_t own_begin = 0;
    for (std::size_t i = 0; i < template_->ends.size(); ++i) {
      const std::size_t piece_end = template_->ends[i];
      if (piece_end > piece_begin) emit(text.substr(piece_begin, piece_end - piece_begin));
      piece_begin = piece_end;
      if (i < own_ends_.size()) {
        const std::size_t own_end = own_ends_[i];
        if (own_end > own_begin) emit(own.substr(own_begin, own_end - own_begin));
        own_begin = own_end;
      }
    }
  }
  std::string Flatten() const;

  // Bytes that are this fragment's alone (not in its template).
  std::size_t own_bytes() const { return own_.size(); }
  const FragmentTemplate* shared_template() const { return template_.get(); }

 private:
  friend class FragmentTemplates;
  std::shared_ptr<const FragmentTemplate> template_;
  core::CompactString own_;  // the own spans, concatenated
  // Where each own span ends in `own_`: one fewer than the template's
  // pieces. 16 bits: own bytes beyond that make a fragment Whole().
  absl::InlinedVector<std::uint16_t, 8> own_ends_;
  std::uint32_t size_ = 0;
};

using FragmentRef = std::shared_ptr<const Fragment>;

// A half-open byte range of an encoded instance.
struct TextSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Splits encoded instances into own spans and shared templates, handing out
// the template already in use for the same text. Thread: one at a time (the
// loop thread); the fragments made may be dropped anywhere.
class FragmentTemplates {
 public:
  // The fragment of `text` whose own bytes are the `own` spans (in any order,
  // may overlap). Template pieces shorter than it costs to keep a piece
  // apart (the slice in each fragment and reply) become own bytes instead.
  FragmentRef Make(std::string_view text, std::vector<TextSpan> own);

  // Forgets the templates no fragment uses any more.
  void Sweep();
  void Clear() { by_hash_.clear(); }
  // Templates known, some perhaps no longer used (tests, metrics).
  std::size_t size() const { return by_hash_.size(); }

  // A piece of template shorter than this is copied into each fragment
  // instead: keeping it apart costs two more slices in every plain reply's
  // writes and an entry in the fragment's list of own spans. At 64, the
  // text between an instance's URLs and between its timestamps was copied
  // into every fragment; at 32, 100,000 instances keep 359 B less each
  // (JSON and XML, build/bench/fetch_memory) for 14 slices per JSON
  // instance instead of 6 (21 instead of 12 for XML), with the same
  // rebuild CPU in bench/micro.
  static constexpr std::size_t kMinPieceBytes = 32;

 private:
  // One template per hash: a different template with the same hash (rare)
  // is used unshared rather than looked for further.
  absl::flat_hash_map<std::uint64_t, std::weak_ptr<const FragmentTemplate>> by_hash_;
  std::size_t swept_size_ = 0;
};

// The byte ranges of `text` where any of `needles` occurs (needles shorter
// than `min_needle` are ignored: a short one matches everywhere).
std::vector<TextSpan> FindOccurrences(std::string_view text,
                                      const std::vector<std::string>& needles,
                                      std::size_t min_needle = 4);

}  // namespace logbook::net::eureka
