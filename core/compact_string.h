#pragma once
// A 16-byte immutable string for the fields of InstanceInfo, of which a
// registry holds hundreds of thousands: a std::optional<std::string> costs 40
// bytes inline before any heap, most of these values fit in 15 bytes, and
// longer ones are copied often (every record copy, every event) but never
// edited in place.
//
// Up to 15 bytes live inline; longer text lives in a reference-counted heap
// block shared by copies (the count is atomic: records and events cross
// threads); Literal() points at static text without owning it. The value can
// also be absent, so a Java null and "" stay distinct, and the read API is
// std::optional<std::string>'s where it makes sense (has_value, operator
// bool, *, ->, value_or) so readers written for the optional compile as they
// are; a present value also reads as a std::string_view.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace logbook::core {

class CompactString {
 public:
  // Absent.
  CompactString() noexcept = default;
  CompactString(std::nullopt_t) noexcept {}               // NOLINT: implicit, as std::optional's
  CompactString(std::string_view text) { Assign(text); }  // NOLINT: implicit on purpose
  CompactString(const std::string& text) : CompactString(std::string_view(text)) {}  // NOLINT
  CompactString(const char* text) : CompactString(std::string_view(text)) {}         // NOLINT
  CompactString(const std::optional<std::string>& text) {                            // NOLINT
    if (text.has_value()) Assign(*text);
  }
  // Static text that outlives every copy (a string literal): shared without a count.
  static CompactString Literal(std::string_view text) noexcept;

  CompactString(const CompactString& other) noexcept;
  CompactString(CompactString&& other) noexcept;
  CompactString& operator=(const CompactString& other) noexcept;
  CompactString& operator=(CompactString&& other) noexcept;
  ~CompactString() { Release(); }

  CompactString& operator=(std::nullopt_t) noexcept {
    reset();
    return *this;
  }
  CompactString& operator=(std::string_view text) { return *this = CompactString(text); }
  CompactString& operator=(const std::string& text) { return *this = CompactString(text); }
  CompactString& operator=(const char* text) { return *this = CompactString(text); }

  bool has_value() const noexcept { return tag_ != kAbsent; }
  explicit operator bool() const noexcept { return has_value(); }
  void reset() noexcept;
  // Present and empty, as std::string::clear() leaves it.
  void clear() noexcept { *this = CompactString(std::string_view()); }

  // The text; empty when absent.
  std::string_view view() const noexcept;
  operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit on purpose
  std::string_view operator*() const noexcept { return view(); }
  // REQUIRES: has_value() (as std::optional's, minus the exception).
  std::string_view value() const noexcept { return view(); }
  std::string_view value_or(std::string_view fallback) const noexcept {
    return has_value() ? view() : fallback;
  }
  // `x->size()` as with std::optional<std::string>.
  struct Arrow {
    std::string_view text;
    const std::string_view* operator->() const noexcept { return &text; }
  };
  Arrow operator->() const noexcept { return Arrow{view()}; }

  // The std::string read API of the always-present fields.
  bool empty() const noexcept { return view().empty(); }
  std::size_t size() const noexcept { return view().size(); }
  const char* data() const noexcept { return view().data(); }
  std::string str() const { return std::string(view()); }

  // Absent equals only absent; "" is a value.
  friend bool operator==(const CompactString& a, const CompactString& b) noexcept {
    return a.has_value() == b.has_value() && a.view() == b.view();
  }
  friend bool operator==(const CompactString& a, std::string_view b) noexcept {
    return a.has_value() && a.view() == b;
  }
  friend bool operator==(const CompactString& a, const std::string& b) noexcept {
    return a == std::string_view(b);
  }
  friend bool operator==(const CompactString& a, const char* b) noexcept {
    return a == std::string_view(b);
  }
  friend bool operator==(const CompactString& a, const std::optional<std::string>& b) noexcept {
    return b.has_value() ? a == std::string_view(*b) : !a.has_value();
  }

  // True when the text is inside the object (no heap block): for tests.
  bool is_inline() const noexcept { return tag_ <= kInlineCapacity; }

 private:
  static constexpr std::size_t kInlineCapacity = 15;
  // tag_ values beyond an inline length.
  static constexpr std::uint8_t kHeap = 0x40;     // counted block, see heap_block()
  static constexpr std::uint8_t kLiteral = 0x41;  // static text, not owned
  static constexpr std::uint8_t kAbsent = 0x80;

  void Assign(std::string_view text);
  void Release() noexcept;
  void Retain() const noexcept;
  // The out-of-line form stores a pointer to the first byte and the size.
  const char* out_of_line_data() const noexcept;
  std::uint32_t out_of_line_size() const noexcept;
  void SetOutOfLine(const char* data, std::uint32_t size, std::uint8_t tag) noexcept;

  alignas(8) char bytes_[kInlineCapacity] = {};
  std::uint8_t tag_ = kAbsent;
};

static_assert(sizeof(CompactString) == 16);

}  // namespace logbook::core
