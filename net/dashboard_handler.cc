#include "net/dashboard_handler.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "net/dashboard_assets.h"
#include "net/error_response.h"

namespace logbook::net {
namespace {

std::string_view FilePath(std::string_view path) { return path == "/" ? "/index.html" : path; }

const EmbeddedFile* Find(std::string_view path) {
  const std::string_view file = FilePath(path);
  for (const EmbeddedFile& embedded : EmbeddedDashboardFiles()) {
    if (embedded.path == file) return &embedded;
  }
  return nullptr;
}

std::string ContentType(std::string_view path) {
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  return "text/html; charset=utf-8";
}

// A strong validator from the bytes themselves (FNV-1a, 64 bits): equal
// bodies, equal tags, across restarts and nodes of the same build.
std::string ETagOf(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char tag[24];
  std::snprintf(tag, sizeof tag, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return tag;
}

// If-None-Match may list several tags, or "*" (RFC 9110 §13.1.2); weak
// comparison, so a W/ prefix added by a proxy still matches.
bool Matches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match.find('*') != std::string_view::npos) return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

bool IsDashboardPath(std::string_view path) { return Find(path) != nullptr; }

HttpResponse ServeDashboard(const HttpRequest& request) {
  const EmbeddedFile* file = Find(request.path);
  if (file == nullptr) return ErrorResponse(404, "not found", request.path);
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = ErrorResponse(405, "method not allowed");
    response.SetHeader("Allow", "GET, HEAD");
    return response;
  }
  const std::string etag = ETagOf(file->body);
  HttpResponse response;
  response.SetHeader("ETag", etag);
  // Revalidate on every load: the page must match the binary behind it.
  response.SetHeader("Cache-Control", "no-cache");
  if (Matches(request.Header("If-None-Match"), etag)) {
    response.status = 304;
    return response;
  }
  response.SetHeader("Content-Type", ContentType(file->path));
  response.SetHeader("X-Content-Type-Options", "nosniff");
  if (file->path == "/index.html") {
    // The page loads only its own script and style, and talks only to this node.
    response.SetHeader("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                       "base-uri 'none'; frame-ancestors 'none'");
  }
  response.body = std::string(file->body);
  return response;
}

}  // namespace logbook::net
