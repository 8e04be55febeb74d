#pragma once
// Splits an HTTP request target into a percent-decoded path and a raw query.
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace logbook::net {

// Accepts origin-form ("/a/b?q"), absolute-form ("http://host/a?q", whose
// scheme and authority are dropped) and asterisk-form ("*"). The path is
// percent-decoded; the query is returned as received, without the '?'; a
// fragment is dropped. InvalidArgument for a malformed %XX escape, an encoded
// NUL (it would truncate C strings downstream) or an empty path.
absl::Status ParseRequestTarget(std::string_view target, std::string* path, std::string* query);

}  // namespace logbook::net
