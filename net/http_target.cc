#include "net/http_target.h"

#include "net/http_ascii.h"

namespace logbook::net {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strips "scheme://authority" from an absolute-form target (RFC 9112
// §3.2.2). `target` has no query or fragment any more.
std::string_view StripSchemeAndAuthority(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (!StartsWithIgnoreCase(target, scheme)) continue;
    std::string_view rest = target.substr(scheme.size());
    std::size_t slash = rest.find('/');
    return slash == std::string_view::npos ? "/" : rest.substr(slash);
  }
  return target;
}

}  // namespace

absl::Status ParseRequestTarget(std::string_view target, std::string* path, std::string* query) {
  path->clear();
  query->clear();
  std::string_view rest = target;
  if (std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  std::string_view raw_query;
  bool has_query = false;
  if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
    raw_query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    has_query = true;
  }
  std::string_view raw_path = StripSchemeAndAuthority(rest);
  if (raw_path.empty()) {
    return absl::InvalidArgumentError("empty request path");
  }
  path->reserve(raw_path.size());
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    char c = raw_path[i];
    if (c != '%') {
      path->push_back(c);
      continue;
    }
    bool complete = i + 2 < raw_path.size();
    int hi = complete ? HexValue(raw_path[i + 1]) : -1;
    int lo = complete ? HexValue(raw_path[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("invalid percent-encoding in request path");
    }
    char decoded = static_cast<char>(hi * 16 + lo);
    if (decoded == '\0') {
      return absl::InvalidArgumentError("encoded NUL in request path");
    }
    path->push_back(decoded);
    i += 2;
  }
  if (has_query) query->assign(raw_query);
  return absl::OkStatus();
}

}  // namespace logbook::net
