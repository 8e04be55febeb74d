#pragma once
// Small ASCII text helpers on std::string_view. Debian's abseil is built with
// its own absl::string_view, so its string utilities do not take ours.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace logbook::net::eureka {

std::string_view TrimAscii(std::string_view text);
std::string LowerAscii(std::string_view text);
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b);
bool StartsWithIgnoreCaseAscii(std::string_view text, std::string_view prefix);
// Every piece between separators, empty ones included.
std::vector<std::string_view> SplitOn(std::string_view text, char separator);
std::string Concat(std::initializer_list<std::string_view> pieces);

}  // namespace logbook::net::eureka
