#pragma once
// A parsed HTTP/1.1 request and the response a handler produces. Handlers
// never see sockets (STYLE.md: llhttp and h2o).
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/shared_body.h"

namespace logbook::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, e.g. "/eureka/apps/X?y=z"
  std::string path;    // target before '?', percent-decoded
  std::string query;   // raw text after '?', not decoded ("" if none)
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  // Header slots past headers.size() that Reset() set aside with their
  // buffers, reused by AddHeader() (parser-owned requests only).
  std::vector<std::pair<std::string, std::string>> spare_headers;
  std::string body;
  bool keep_alive = true;
  // The peer's "address:port" ("[v6]:port"), set by the connection; for logs.
  std::string remote;

  // Appends a header, reusing the storage of headers a Reset() cleared.
  void AddHeader(std::string_view name, std::string_view value);
  // Empties every field for the next request on the connection, keeping the
  // buffers (and the header strings' capacity) for reuse.
  void Reset();

  // Case-insensitive header lookup; "" when absent (first occurrence wins).
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  // Content-Length, Connection and Date are added by the connection.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // An immutable body shared with a cache (net/shared_body.h): when set it
  // is the body and `body` is ignored. The connection holds a reference
  // until the kernel has taken every byte, so a cached document is never
  // copied.
  SharedBody shared_body;

  std::size_t BodySize() const { return shared_body ? shared_body.size() : body.size(); }
  void SetHeader(std::string name, std::string value);
};

// "Not Found" for 404, ...
std::string_view ReasonPhrase(int status);

}  // namespace logbook::net
