#include "net/eureka/document_parts.h"

namespace logbook::net::eureka {
namespace {

// The part's plain bytes in order (no empty slice needed: a deflater and a
// rope both skip them).
template <typename Emit>
void ForEachSlice(const DocumentPart& part, Emit&& emit) {
  emit(std::string_view(part.head));
  for (std::size_t i = 0; i < part.fragments.size(); ++i) {
    if (i > 0) emit(part.separator);
    part.fragments[i]->ForEachSlice(emit);
  }
  emit(std::string_view(part.tail));
}

// How much of the preceding bytes a piece is compressed against: a few
// instance objects, enough for their repeated field names and values.
constexpr std::size_t kDictionaryBytes = 4096;

}  // namespace

std::size_t DocumentPart::size() const {
  std::size_t bytes = head.size() + tail.size();
  for (const FragmentRef& fragment : fragments) bytes += fragment->size();
  if (!fragments.empty()) bytes += separator.size() * (fragments.size() - 1);
  return bytes;
}

bool DocumentPart::SameBytesAs(const DocumentPart& other) const {
  if (head != other.head || separator != other.separator || tail != other.tail ||
      fragments.size() != other.fragments.size()) {
    return false;
  }
  // The fragment cache makes a new fragment for every change: the same
  // object means the same bytes.
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    if (fragments[i] != other.fragments[i]) return false;
  }
  return true;
}

PartRef TextPart(std::string text) {
  auto part = std::make_shared<DocumentPart>();
  part->head = std::move(text);
  return part;
}

PartReuse::PartReuse(const DocumentParts& previous) {
  by_head_.reserve(previous.size());
  for (const PartRef& part : previous) by_head_.try_emplace(part->head, &part);
}

PartRef PartReuse::Reuse(DocumentPart candidate) const {
  auto it = by_head_.find(candidate.head);
  if (it != by_head_.end() && (*it->second)->SameBytesAs(candidate)) return *it->second;
  return std::make_shared<const DocumentPart>(std::move(candidate));
}

namespace {

// A document's plain bytes, read from its parts at each write: a cached body
// holds the parts, not a list of their slices (several per instance).
class PartsSource final : public SliceSource {
 public:
  explicit PartsSource(DocumentParts parts) : parts_(std::move(parts)) {}
  void ForEachSlice(absl::FunctionRef<void(std::string_view)> emit) const override {
    for (const PartRef& part : parts_) {
      eureka::ForEachSlice(*part, [&emit](std::string_view slice) {
        if (!slice.empty()) emit(slice);
      });
    }
  }

 private:
  DocumentParts parts_;
};

}  // namespace

SharedBody PlainBody(const DocumentParts& parts) {
  std::size_t size = 0;
  for (const PartRef& part : parts) size += part->size();
  SharedBodyBuilder builder;
  builder.Append(std::make_shared<const PartsSource>(parts), size);
  return std::move(builder).Build();
}

DeflatedParts::Plan DeflatedParts::Prepare(const DocumentParts& parts) const {
  Plan plan;
  plan.parts_ = parts;
  if (parts.size() == 1 && parts.front()->fragments.empty()) {
    plan.whole_ = true;
    plan.bytes_to_compress_ = parts.front()->size();
    plan.parts_to_compress_ = 1;
    return plan;
  }
  plan.pieces_.reserve(parts.size());
  plan.order_.reserve(parts.size());
  std::vector<PartRef> context;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const PartRef& part = parts[i];
    // The parts whose bytes make up the dictionary, nearest first.
    context.clear();
    std::size_t covered = 0;
    for (std::size_t j = i; j > 0 && covered < kDictionaryBytes; --j) {
      context.push_back(parts[j - 1]);
      covered += parts[j - 1]->size();
    }
    const Key key{part.get(), context.empty() ? nullptr : context.front().get()};
    plan.order_.push_back(key);
    auto [it, inserted] = plan.pieces_.try_emplace(key);
    if (!inserted) continue;
    Entry& entry = it->second;
    auto previous = pieces_.find(key);
    if (previous != pieces_.end() && previous->second.context == context) {
      entry = previous->second;
    } else {
      entry.part = part;
      entry.context = context;
      plan.bytes_to_compress_ += part->size();
      ++plan.parts_to_compress_;
    }
  }
  return plan;
}

std::string DeflatedParts::Plan::Run(PieceDeflater& deflater) {
  if (whole_) return GzipCompress(parts_.front()->head);
  std::vector<std::string_view> slices;
  std::string dictionary;
  std::vector<const DeflatedPiece*> in_order;
  in_order.reserve(order_.size());
  // In document order, so that each part is read right after the parts
  // its dictionary comes from (still in cache).
  for (const Key& key : order_) {
    Entry& entry = pieces_.find(key)->second;
    if (entry.piece == nullptr) {
      slices.clear();
      ForEachSlice(*entry.part, [&](std::string_view slice) { slices.push_back(slice); });
      dictionary.clear();
      for (auto it_back = entry.context.rbegin(); it_back != entry.context.rend(); ++it_back) {
        ForEachSlice(**it_back, [&](std::string_view slice) { dictionary.append(slice); });
        if (dictionary.size() > 2 * kDictionaryBytes) {
          dictionary.erase(0, dictionary.size() - kDictionaryBytes);
        }
      }
      if (dictionary.size() > kDictionaryBytes) {
        dictionary.erase(0, dictionary.size() - kDictionaryBytes);
      }
      entry.piece = std::make_shared<const DeflatedPiece>(deflater.Deflate(slices, dictionary));
    }
    in_order.push_back(entry.piece.get());
  }
  deflated_bytes_ = 0;
  for (const auto& [key, entry] : pieces_) deflated_bytes_ += entry.piece->bytes.size();
  return GzipFromPieces(in_order);
}

void DeflatedParts::Install(Plan&& plan) {
  compressed_last_ = plan.parts_to_compress_;
  if (plan.whole_) {
    pieces_.clear();
    bytes_ = 0;
    return;
  }
  pieces_ = std::move(plan.pieces_);
  bytes_ = plan.deflated_bytes_;
}

std::string DeflatedParts::Gzip(const DocumentParts& parts, PieceDeflater& deflater) {
  Plan plan = Prepare(parts);
  std::string gzip = plan.Run(deflater);
  Install(std::move(plan));
  return gzip;
}

}  // namespace logbook::net::eureka
