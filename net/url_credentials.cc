#include "net/url_credentials.h"

#include "absl/strings/str_cat.h"

namespace logbook::net {
namespace {

struct UserinfoSpan {
  std::size_t start = 0;  // first byte of the userinfo
  std::size_t at = 0;     // index of the '@' that ends it
};

// Where the userinfo is, if there is one: between "://" and the last '@'
// before the first '/', '?' or '#' (a password may itself contain '@' when
// unescaped; the host never does).
std::optional<UserinfoSpan> FindUserinfo(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  const std::size_t start = scheme_end + 3;
  const std::size_t authority_end = url.find_first_of("/?#", start);
  const std::string_view authority =
      url.substr(start, authority_end == std::string_view::npos ? std::string_view::npos
                                                                 : authority_end - start);
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  return UserinfoSpan{start, start + at};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; a '%' not followed by two hex digits is kept as is.
std::string PercentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      decoded.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      decoded.push_back(text[i]);
    }
  }
  return decoded;
}

}  // namespace

UrlWithCredentials SplitUrlCredentials(std::string_view url) {
  const std::optional<UserinfoSpan> span = FindUserinfo(url);
  if (!span.has_value()) return {std::string(url), std::nullopt};
  const std::string_view userinfo = url.substr(span->start, span->at - span->start);
  const std::size_t colon = userinfo.find(':');
  BasicCredentials credentials;
  credentials.user = PercentDecode(userinfo.substr(0, colon));
  if (colon != std::string_view::npos) credentials.password = PercentDecode(userinfo.substr(colon + 1));
  std::string stripped(url.substr(0, span->start));
  stripped.append(url.substr(span->at + 1));
  return {std::move(stripped), std::move(credentials)};
}

std::string MaskUrlPassword(std::string_view url) {
  const std::optional<UserinfoSpan> span = FindUserinfo(url);
  if (!span.has_value()) return std::string(url);
  const std::string_view userinfo = url.substr(span->start, span->at - span->start);
  const std::size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return absl::StrCat(absl::string_view(url.data(), span->start + colon), ":***",
                      absl::string_view(url.data() + span->at, url.size() - span->at));
}

std::optional<BasicCredentials> ParseUserColonPassword(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return BasicCredentials{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

}  // namespace logbook::net
