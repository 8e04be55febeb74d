#include "net/basic_auth.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "net/http_ascii.h"

namespace logbook::net {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 7617 §2: the token68 alphabet of base64, with '=' padding only at the
// end. Checked here because absl's decoder also accepts whitespace inside.
bool IsBase64Token(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1) return false;
  std::size_t padding = 0;
  for (const char c : text) {
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=') {
      ++padding;
    } else if (!alphabet || padding > 0) {
      return false;
    }
  }
  return padding <= 2;
}

}  // namespace

std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header_value) {
  if (header_value.size() > kMaxBasicAuthorizationBytes) return std::nullopt;
  const std::string_view value = TrimSpaces(header_value);
  constexpr std::string_view kScheme = "Basic";
  if (!StartsWithIgnoreCase(value, kScheme) || value.size() == kScheme.size() ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return std::nullopt;
  }
  const std::string_view token = TrimSpaces(value.substr(kScheme.size()));
  if (!IsBase64Token(token)) return std::nullopt;
  std::string decoded;
  if (!absl::Base64Unescape(absl::string_view(token.data(), token.size()), &decoded)) {
    return std::nullopt;
  }
  // The user-id cannot contain ':' (RFC 7617 §2); the password may.
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  for (std::size_t i = 0; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(decoded[i]);
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
  const std::string joined = absl::StrCat(absl::string_view(user.data(), user.size()), ":",
                                          absl::string_view(password.data(), password.size()));
  return absl::StrCat("Basic ", absl::Base64Escape(joined));
}

}  // namespace logbook::net
