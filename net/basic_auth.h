#pragma once
// HTTP Basic credentials (RFC 7617): reading an `Authorization` header value
// a client sent, and writing one for the requests we send to peers.
#include <optional>
#include <string>
#include <string_view>

namespace logbook::net {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// Longest header value we decode; anything longer is refused unread, so a
// hostile client cannot make us decode megabytes per request.
inline constexpr std::size_t kMaxBasicAuthorizationBytes = 4096;

// "Basic <base64(user:password)>" (scheme case-insensitive, spaces around the
// token tolerated). nullopt for any other scheme, bad base64, a decoded text
// without ':' , an empty user, a control character in the user, or a value
// longer than kMaxBasicAuthorizationBytes.
std::optional<BasicCredentials> ParseBasicAuthorization(std::string_view header_value);

// The header value for `user` and `password`: "Basic dXNlcjpwYXNz".
std::string BasicAuthorization(std::string_view user, std::string_view password);

}  // namespace logbook::net
