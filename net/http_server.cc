#include "net/http_server.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/error_response.h"
#include "net/http_connection.h"
#include "net/http_response_writer.h"
#include "net/listening_socket.h"

namespace logbook::net {
namespace {

void DeleteTcpHandle(uv_handle_t* handle) { delete reinterpret_cast<uv_tcp_t*>(handle); }

// What a connection beyond max_connections reads before the close, so a
// client sees why instead of a bare reset.
std::string RejectionBytes(std::size_t max_connections, std::string_view date) {
  HttpResponse response = ErrorResponse(
      503, "too many connections",
      absl::StrCat("the node serves at most ", max_connections,
                   " connections (logbook.http.max-connections)"));
  response.SetHeader("Retry-After", "1");
  ResponseFraming framing;
  framing.close = true;
  framing.date = date;
  return SerializeResponseHead(response, framing) + response.body;
}

}  // namespace

struct HttpServer::Impl {
  Impl(uv_loop_t* loop, HttpLimits limits, HttpHandler handler);

  static void OnConnection(uv_stream_t* listener, int status);
  static void OnListenerClosed(uv_handle_t* handle);
  void OnConnectionClosed(HttpConnection* connection);
  void MaybeFinishShutdown();

  uv_loop_t* const loop;
  HttpConnectionShared shared;
  // On the heap: after a failed Listen its close callback may run after
  // this object is gone. Null when not listening.
  uv_tcp_t* listener = nullptr;
  bool listener_closing = false;
  int port = 0;
  absl::flat_hash_map<HttpConnection*, std::unique_ptr<HttpConnection>> connections;
  bool shutting_down = false;
  std::vector<std::function<void()>> shutdown_done;
  HttpDate date;  // for the 503 of rejected connections
};

HttpServer::Impl::Impl(uv_loop_t* loop, HttpLimits limits, HttpHandler handler) : loop(loop) {
  shared.limits = limits;
  shared.handler = std::move(handler);
  shared.on_closed = [this](HttpConnection* connection) { OnConnectionClosed(connection); };
}

void HttpServer::Impl::OnConnection(uv_stream_t* listener, int status) {
  auto* impl = static_cast<Impl*>(listener->data);
  if (status != 0 || impl->shutting_down) return;
  if (impl->connections.size() >= impl->shared.limits.max_connections) {
    // Accept, answer 503 and close at once: left in the backlog, the client
    // would hang until its own timeout instead of seeing a prompt refusal.
    auto* tcp = new uv_tcp_t;
    LOGBOOK_CHECK(uv_tcp_init(impl->loop, tcp) == 0);
    if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(tcp)) == 0) {
      ++impl->shared.stats.connections_rejected;
      // Best effort and never blocking: a fresh socket's send buffer takes
      // these few hundred bytes, and a client that cannot read them still
      // sees the close.
      std::string rejection =
          RejectionBytes(impl->shared.limits.max_connections, impl->date.Now());
      uv_buf_t buffer = uv_buf_init(rejection.data(), static_cast<unsigned int>(rejection.size()));
      (void)uv_try_write(reinterpret_cast<uv_stream_t*>(tcp), &buffer, 1);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(tcp), &DeleteTcpHandle);
    return;
  }
  auto connection = std::make_unique<HttpConnection>(impl->loop, &impl->shared);
  HttpConnection* raw = connection.get();
  impl->connections.emplace(raw, std::move(connection));
  impl->shared.stats.connections_open = impl->connections.size();
  if (raw->Start(listener)) ++impl->shared.stats.connections_accepted;
}

void HttpServer::Impl::OnListenerClosed(uv_handle_t* handle) {
  auto* impl = static_cast<Impl*>(handle->data);
  delete reinterpret_cast<uv_tcp_t*>(handle);
  impl->listener = nullptr;
  impl->listener_closing = false;
  impl->MaybeFinishShutdown();
}

void HttpServer::Impl::OnConnectionClosed(HttpConnection* connection) {
  connections.erase(connection);
  shared.stats.connections_open = connections.size();
  MaybeFinishShutdown();
}

void HttpServer::Impl::MaybeFinishShutdown() {
  if (!shutting_down || listener != nullptr || !connections.empty()) return;
  std::vector<std::function<void()>> done = std::move(shutdown_done);
  shutdown_done.clear();
  for (auto& callback : done) callback();
}

HttpServer::HttpServer(uv_loop_t* loop, HttpLimits limits, HttpHandler handler)
    : impl_(std::make_unique<Impl>(loop, limits, std::move(handler))) {
  LOGBOOK_CHECK(impl_->shared.handler != nullptr);
}

HttpServer::~HttpServer() {
  // Connections and the listener are libuv handles that live until their
  // close callbacks run on the loop; freeing them earlier is a use after
  // free waiting to happen.
  if (impl_->listener != nullptr || !impl_->connections.empty()) {
    std::fprintf(stderr,
                 "HttpServer destroyed with open handles: call Shutdown() and "
                 "run the loop until it reports done\n");
    std::abort();
  }
}

absl::Status HttpServer::Listen(const std::string& host, int port) {
  if (impl_->listener != nullptr || impl_->shutting_down) {
    return absl::FailedPreconditionError("HttpServer is already listening or shut down");
  }
  ASSIGN_OR_RETURN(ListeningSocket socket, ListeningSocket::Open(host, port));
  // The server's duplicate keeps the socket open after `socket` closes its own.
  return Listen(socket);
}

absl::Status HttpServer::Listen(const ListeningSocket& socket) {
  if (impl_->listener != nullptr || impl_->shutting_down) {
    return absl::FailedPreconditionError("HttpServer is already listening or shut down");
  }
  ASSIGN_OR_RETURN(const int fd, socket.Duplicate());
  auto* tcp = new uv_tcp_t;
  LOGBOOK_CHECK(uv_tcp_init(impl_->loop, tcp) == 0);
  tcp->data = impl_.get();
  int rc = uv_tcp_open(tcp, fd);
  if (rc != 0) {
    ::close(fd);
  } else {
    // listen() again on a listening socket only sets the backlog again;
    // libuv needs the call to watch the socket for connections.
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), kListenBacklog, &Impl::OnConnection);
  }
  if (rc != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(tcp), &DeleteTcpHandle);
    return absl::UnavailableError(
        absl::StrCat("accept on port ", socket.port(), ": ", uv_strerror(rc)));
  }
  impl_->port = socket.port();
  impl_->listener = tcp;
  return absl::OkStatus();
}

int HttpServer::port() const { return impl_->port; }

void HttpServer::StopAccepting() {
  if (impl_->listener != nullptr && !impl_->listener_closing) {
    impl_->listener_closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(impl_->listener), &Impl::OnListenerClosed);
  }
}

void HttpServer::Shutdown(std::function<void()> done) {
  impl_->shutting_down = true;
  if (done) impl_->shutdown_done.push_back(std::move(done));
  StopAccepting();
  // Drain() may close a connection, whose callback later erases it from
  // the map: walk a copy of the keys.
  std::vector<HttpConnection*> connections;
  connections.reserve(impl_->connections.size());
  for (const auto& entry : impl_->connections) connections.push_back(entry.first);
  for (HttpConnection* connection : connections) connection->Drain();
  impl_->MaybeFinishShutdown();
}

const HttpServerStats& HttpServer::stats() const { return impl_->shared.stats; }

void HttpServer::SetErrorListener(HttpErrorListener listener) {
  impl_->shared.on_error = std::move(listener);
}

}  // namespace logbook::net
