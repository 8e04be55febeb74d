#include "net/eureka/fragment.h"

#include <algorithm>
#include <limits>

#include "absl/hash/hash.h"
#include "core/status.h"

namespace logbook::net::eureka {
namespace {

// Sorted, disjoint spans covering `own`, with every gap between them (and
// before the first, after the last) at least `min_gap` bytes long: a shorter
// gap joins the spans around it.
std::vector<TextSpan> Coalesce(std::vector<TextSpan> own, std::size_t size, std::size_t min_gap) {
  std::sort(own.begin(), own.end(),
            [](const TextSpan& a, const TextSpan& b) { return a.begin < b.begin; });
  std::vector<TextSpan> merged;
  for (const TextSpan& span : own) {
    if (span.begin >= span.end || span.end > size) continue;
    if (!merged.empty() && span.begin < merged.back().end + min_gap) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  if (merged.empty()) return merged;
  if (merged.front().begin < min_gap) merged.front().begin = 0;
  if (size - merged.back().end < min_gap) merged.back().end = size;
  return merged;
}

}  // namespace

std::shared_ptr<const Fragment> Fragment::Whole(std::string_view text) {
  LOGBOOK_CHECK(text.size() <= std::numeric_limits<std::uint32_t>::max());
  auto fragment = std::make_shared<Fragment>();
  fragment->own_ = core::CompactString(text);
  fragment->size_ = static_cast<std::uint32_t>(text.size());
  return fragment;
}

std::string Fragment::Flatten() const {
  std::string out;
  out.reserve(size_);
  ForEachSlice([&out](std::string_view slice) { out.append(slice); });
  return out;
}

FragmentRef FragmentTemplates::Make(std::string_view text, std::vector<TextSpan> own) {
  LOGBOOK_CHECK(text.size() <= std::numeric_limits<std::uint32_t>::max());
  const std::vector<TextSpan> spans = Coalesce(std::move(own), text.size(), kMinPieceBytes);
  std::size_t own_size = 0;
  for (const TextSpan& span : spans) own_size += span.end - span.begin;
  if (own_size > std::numeric_limits<std::uint16_t>::max()) return Fragment::Whole(text);

  FragmentTemplate candidate;
  std::string own_bytes;
  auto fragment = std::make_shared<Fragment>();
  std::size_t at = 0;
  for (const TextSpan& span : spans) {
    candidate.text.append(text.substr(at, span.begin - at));
    candidate.ends.push_back(static_cast<std::uint32_t>(candidate.text.size()));
    own_bytes.append(text.substr(span.begin, span.end - span.begin));
    fragment->own_ends_.push_back(static_cast<std::uint16_t>(own_bytes.size()));
    at = span.end;
  }
  candidate.text.append(text.substr(at));
  candidate.ends.push_back(static_cast<std::uint32_t>(candidate.text.size()));
  fragment->own_ = core::CompactString(own_bytes);
  fragment->size_ = static_cast<std::uint32_t>(text.size());

  const std::uint64_t hash = absl::HashOf(candidate.text, candidate.ends);
  auto [it, inserted] = by_hash_.try_emplace(hash);
  std::shared_ptr<const FragmentTemplate> shared = it->second.lock();
  if (shared != nullptr && *shared == candidate) {
    fragment->template_ = std::move(shared);
  } else {
    candidate.text.shrink_to_fit();
    auto made = std::make_shared<const FragmentTemplate>(std::move(candidate));
    // A live template with the same hash keeps its place; this one goes unshared.
    if (shared == nullptr) it->second = made;
    fragment->template_ = std::move(made);
  }
  if (by_hash_.size() > 2 * swept_size_ + 1024) Sweep();
  return fragment;
}

void FragmentTemplates::Sweep() {
  absl::erase_if(by_hash_, [](const auto& entry) { return entry.second.expired(); });
  swept_size_ = by_hash_.size();
}

std::vector<TextSpan> FindOccurrences(std::string_view text,
                                      const std::vector<std::string>& needles,
                                      std::size_t min_needle) {
  std::vector<TextSpan> found;
  for (const std::string& needle : needles) {
    if (needle.size() < min_needle) continue;
    for (std::size_t at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size())) {
      found.push_back(TextSpan{at, at + needle.size()});
    }
  }
  return found;
}

}  // namespace logbook::net::eureka
