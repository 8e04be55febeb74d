#pragma once
// Credentials written into a URL's userinfo, as Eureka and Spring users write
// service URLs: http://user:password@host:port/eureka/. Split off before the
// URL is used to connect, and masked wherever the URL is shown.
#include <optional>
#include <string>
#include <string_view>

#include "net/basic_auth.h"

namespace logbook::net {

struct UrlWithCredentials {
  std::string url;  // the same URL without "user:password@"
  std::optional<BasicCredentials> credentials;  // percent-decoded; nullopt without userinfo
};

// Splits "scheme://user:password@rest". A userinfo without ':' is a user with
// an empty password. URLs without "://" or without '@' before the path come
// back unchanged.
UrlWithCredentials SplitUrlCredentials(std::string_view url);

// The URL as it may be shown in logs, status and the dashboard: the password
// replaced by "***" ("http://user:***@host:8761"); unchanged without one.
std::string MaskUrlPassword(std::string_view url);

// "user:password" (as in logbook.auth.peer-credentials and LOGBOOK_AUTH_*):
// split at the first ':'. nullopt without ':' or with an empty user.
std::optional<BasicCredentials> ParseUserColonPassword(std::string_view text);

}  // namespace logbook::net
