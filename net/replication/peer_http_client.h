#pragma once
// A small blocking HTTP/1.1 client for one peer: GET and POST, keep-alive,
// Content-Length bodies (what our server sends), with a connect timeout, a
// read timeout and a bound on every byte it buffers.
//
// Why blocking on a thread of its own rather than libuv on the loop: a
// puller spends its life waiting on one long-poll; on its own thread the
// wait, the reconnect backoff and the decoding of a large batch (CPU) stay
// off the loop, and the code is a straight line. The loop only sees decoded
// batches (LoopMailbox).
//
// Thread: one thread uses an instance. `wake_fd` (an eventfd owned by the
// caller) interrupts any wait when it becomes readable: Get() then fails
// with Cancelled.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace logbook::net::replication {

struct PeerAddress {
  std::string host;
  int port = 80;
  // The Authorization header value sent with every request ("" = none).
  std::string authorization;
};

// http://[USER:PASSWORD@]HOST[:PORT][/PATH]: the path is ignored (Logbook's
// endpoints are at the root), so Eureka-style URLs such as
// http://a:8761/eureka/ work. Credentials in the URL become Basic
// authorization; without them `default_authorization` is used. Errors show
// the URL with its password masked.
absl::StatusOr<PeerAddress> ParsePeerUrl(std::string_view url,
                                         std::string_view default_authorization = {});

struct PeerHttpOptions {
  std::int64_t connect_timeout_ms = 2000;
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

struct PeerResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Case-insensitive; "" when absent.
  std::string_view Header(std::string_view name) const;
};

class PeerHttpClient {
 public:
  PeerHttpClient(PeerAddress address, PeerHttpOptions options, int wake_fd);
  ~PeerHttpClient();
  PeerHttpClient(const PeerHttpClient&) = delete;
  PeerHttpClient& operator=(const PeerHttpClient&) = delete;

  // Sends GET `target` and reads the whole answer within `read_timeout_ms`
  // of sending. Unavailable (connect/IO failure, timeout, EOF), DataLoss (a
  // malformed or oversized answer), Cancelled (woken). On any error the
  // connection is closed; the next call reconnects.
  absl::StatusOr<PeerResponse> Get(std::string_view target, std::int64_t read_timeout_ms);
  // POST `body` as `content_type` with `extra_headers` (each a full
  // "Name: value" line, no CRLF), asking for JSON; errors as Get().
  absl::StatusOr<PeerResponse> Post(std::string_view target, std::string_view content_type,
                                    const std::vector<std::string>& extra_headers,
                                    std::string_view body, std::int64_t read_timeout_ms);
  void Close();

 private:
  absl::Status Connect();
  // Waits until fd_ is readable/writable (`events`) before `deadline`.
  absl::Status WaitFor(short events, std::chrono::steady_clock::time_point deadline);
  // The peer's Basic credentials (from its URL or logbook.auth.peer-credentials), if any.
  void AppendAuthorization(std::string* request) const;
  // Sends `request` (head and body) and reads one answer.
  absl::StatusOr<PeerResponse> Send(const std::string& request, std::int64_t read_timeout_ms);
  absl::StatusOr<PeerResponse> Exchange(const std::string& request,
                                        std::chrono::steady_clock::time_point deadline);

  PeerAddress address_;
  PeerHttpOptions options_;
  int wake_fd_;
  int fd_ = -1;
  std::string buffer_;  // bytes read past the last answer (none, normally)
};

}  // namespace logbook::net::replication
