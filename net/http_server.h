#pragma once
// HTTP/1.1 server on libuv + llhttp: keep-alive, pipelining (responses leave
// in request order even when handlers answer out of order), limits, timers.
//
// Thread: everything runs on the loop thread that owns `loop`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <uv.h>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "net/http_message.h"

namespace logbook::net {

class ListeningSocket;

struct HttpLimits {
  std::size_t max_header_bytes = 65536;     // 431 beyond
  std::size_t max_body_bytes = 1048576;     // 413 beyond (as soon as announced)
  std::int64_t header_timeout_ms = 10000;   // whole head must arrive within it
  std::int64_t idle_timeout_ms = 90000;     // no request in progress -> close
  std::size_t max_connections = 10000;      // beyond: accepted and closed at once, counted
  // Stop reading a connection with this many responses queued or bytes
  // unwritten (back-pressure on pipelining clients). The byte bound is what
  // a client that pipelines without reading can make the node hold.
  std::size_t max_pipelined_requests = 128;
  std::size_t max_unsent_bytes = 1024 * 1024;
};

// Completes one request. Call exactly once, on the loop thread, at any later
// time; if the connection is gone by then the response is dropped.
// Calling it never runs the handler re-entrantly. Destroying it uncalled
// answers 500, so a lost responder cannot stall the connection.
using Responder = absl::AnyInvocable<void(HttpResponse) &&>;

// The application side. Handle() must not block; it may answer later.
using HttpHandler = std::function<void(HttpRequest&& request, Responder responder)>;

// A response the server made itself (400, 408, 413, 431...): the status,
// why, and the peer's address. Loop thread.
using HttpErrorListener =
    std::function<void(int status, std::string_view detail, std::string_view remote)>;

struct HttpServerStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;
  std::uint64_t requests = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

class HttpServer {
 public:
  HttpServer(uv_loop_t* loop, HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; port 0 picks a free port (see port()).
  absl::Status Listen(const std::string& host, int port);
  // Accepts on a duplicate of `socket`, which the caller may keep to hand
  // the port on to the next server: the port stays open as long as either
  // holds it.
  absl::Status Listen(const ListeningSocket& socket);
  int port() const;

  // Stops accepting (this server's descriptor of the socket is closed) and
  // goes on serving the connections it has.
  void StopAccepting();

  // Stops accepting; lets in-flight requests finish; closes idle connections.
  // `done` runs on the loop once every connection is closed.
  void Shutdown(std::function<void()> done);

  const HttpServerStats& stats() const;
  // Set before Listen(); replaces any earlier listener.
  void SetErrorListener(HttpErrorListener listener);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logbook::net
