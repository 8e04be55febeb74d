#pragma once
// Serializes an HttpResponse's status line and headers for the wire, adding
// the framing headers the connection owns (Date, Content-Length, Connection).
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_message.h"

namespace logbook::net {

// How the connection frames one response.
struct ResponseFraming {
  bool close = false;              // "Connection: close"; the last response
  bool keep_alive_header = false;  // "Connection: keep-alive" (HTTP/1.0 peers)
  bool head_request = false;       // HEAD: headers only, Content-Length kept
  std::string_view date;           // IMF-fixdate, from HttpDate
};

// False for HEAD and for statuses that never carry content (1xx, 204, 304).
bool ResponseHasBody(int status, bool head_request);

// Status line, headers and the blank line. The handler's own Content-Length,
// Transfer-Encoding, Connection and Date are replaced by ours, and a header
// whose name is not a token or whose value holds CR, LF or NUL is dropped:
// either would let a handler echoing client input split the response. A
// status outside 100..599 becomes 500.
std::string SerializeResponseHead(const HttpResponse& response, const ResponseFraming& framing);
// The same, appended to `out` (whose buffer the caller may reuse).
void AppendResponseHead(const HttpResponse& response, const ResponseFraming& framing,
                        std::string* out);

// Formats "Sun, 06 Nov 1994 08:49:37 GMT" once per second.
// Thread: one owner; not shared between threads.
class HttpDate {
 public:
  // The current date; valid until the next call.
  std::string_view Now();

 private:
  std::int64_t second_ = -1;
  std::string text_;
};

}  // namespace logbook::net
