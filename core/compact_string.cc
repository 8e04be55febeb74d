#include "core/compact_string.h"

#include <atomic>
#include <limits>
#include <new>

#include "core/status.h"

namespace logbook::core {
namespace {

// A heap block is the count followed by the bytes; the object points at the
// bytes, so reading needs no branch on the kind of storage.
using RefCount = std::atomic<std::uint32_t>;
constexpr std::size_t kCountBytes = sizeof(RefCount);
static_assert(alignof(RefCount) <= kCountBytes);

RefCount& CountOf(const char* data) {
  return *std::launder(reinterpret_cast<RefCount*>(const_cast<char*>(data) - kCountBytes));
}

}  // namespace

CompactString CompactString::Literal(std::string_view text) noexcept {
  CompactString literal;
  literal.SetOutOfLine(text.data(), static_cast<std::uint32_t>(text.size()), kLiteral);
  return literal;
}

CompactString::CompactString(const CompactString& other) noexcept {
  std::memcpy(bytes_, other.bytes_, sizeof bytes_);
  tag_ = other.tag_;
  Retain();
}

CompactString::CompactString(CompactString&& other) noexcept {
  std::memcpy(bytes_, other.bytes_, sizeof bytes_);
  tag_ = other.tag_;
  other.tag_ = kAbsent;
}

CompactString& CompactString::operator=(const CompactString& other) noexcept {
  if (this != &other) {
    other.Retain();
    Release();
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    tag_ = other.tag_;
  }
  return *this;
}

CompactString& CompactString::operator=(CompactString&& other) noexcept {
  if (this != &other) {
    Release();
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    tag_ = other.tag_;
    other.tag_ = kAbsent;
  }
  return *this;
}

void CompactString::reset() noexcept {
  Release();
  tag_ = kAbsent;
}

std::string_view CompactString::view() const noexcept {
  if (tag_ <= kInlineCapacity) return std::string_view(bytes_, tag_);
  if (tag_ == kAbsent) return std::string_view();
  return std::string_view(out_of_line_data(), out_of_line_size());
}

void CompactString::Assign(std::string_view text) {
  if (text.size() <= kInlineCapacity) {
    // An empty view may have a null data(), which memcpy must not be given.
    if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
    tag_ = static_cast<std::uint8_t>(text.size());
    return;
  }
  // Request bodies are capped far below this; a larger value is a bug.
  LOGBOOK_CHECK(text.size() <= std::numeric_limits<std::uint32_t>::max());
  char* block = static_cast<char*>(::operator new(kCountBytes + text.size()));
  new (block) RefCount(1);
  char* data = block + kCountBytes;
  std::memcpy(data, text.data(), text.size());
  SetOutOfLine(data, static_cast<std::uint32_t>(text.size()), kHeap);
}

void CompactString::Retain() const noexcept {
  if (tag_ == kHeap) CountOf(out_of_line_data()).fetch_add(1, std::memory_order_relaxed);
}

void CompactString::Release() noexcept {
  if (tag_ != kHeap) return;
  const char* data = out_of_line_data();
  if (CountOf(data).fetch_sub(1, std::memory_order_acq_rel) == 1) {
    CountOf(data).~RefCount();
    ::operator delete(const_cast<char*>(data) - kCountBytes);
  }
  tag_ = kAbsent;
}

const char* CompactString::out_of_line_data() const noexcept {
  const char* data;
  std::memcpy(&data, bytes_, sizeof data);
  return data;
}

std::uint32_t CompactString::out_of_line_size() const noexcept {
  std::uint32_t size;
  std::memcpy(&size, bytes_ + sizeof(const char*), sizeof size);
  return size;
}

void CompactString::SetOutOfLine(const char* data, std::uint32_t size, std::uint8_t tag) noexcept {
  std::memcpy(bytes_, &data, sizeof data);
  std::memcpy(bytes_ + sizeof data, &size, sizeof size);
  tag_ = tag;
}

}  // namespace logbook::core
