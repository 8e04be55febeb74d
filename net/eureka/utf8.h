#pragma once
// UTF-8 decoding and encoding for the wire writers, which must never emit
// malformed text (one bad byte would make a whole registry document unreadable).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace logbook::net::eureka {

struct Utf8Char {
  std::uint32_t code_point = 0;
  std::size_t length = 0;  // 0: the bytes at that position are not well-formed UTF-8
};

// Decodes the sequence starting at text[i] (i < text.size()). Overlong forms,
// surrogates, code points above U+10FFFF and truncated sequences are malformed.
Utf8Char DecodeUtf8(std::string_view text, std::size_t i);

void AppendUtf8(std::string* out, std::uint32_t code_point);

// U+FFFD REPLACEMENT CHARACTER, what malformed bytes become on output.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

}  // namespace logbook::net::eureka
