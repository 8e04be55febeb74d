#pragma once
// A TCP socket bound and listening, owned apart from any libuv loop, so the
// port can pass from one HttpServer to the next (the bootstrap placeholder,
// then the node) without a moment at which connections are refused: while
// no server accepts, new connections wait in the kernel's backlog.
#include <string>

#include "absl/status/statusor.h"

namespace logbook::net {

// As nginx and node: the kernel clamps it to somaxconn anyway.
inline constexpr int kListenBacklog = 511;

class ListeningSocket {
 public:
  // Binds host:port (a literal IPv4 or IPv6 address, or "localhost"; port 0
  // picks a free one) and listens. Non-blocking, close-on-exec.
  static absl::StatusOr<ListeningSocket> Open(const std::string& host, int port);

  ListeningSocket(ListeningSocket&& other) noexcept;
  ListeningSocket& operator=(ListeningSocket&& other) noexcept;
  ListeningSocket(const ListeningSocket&) = delete;
  ListeningSocket& operator=(const ListeningSocket&) = delete;
  // Closes the socket unless a server still holds a duplicate of it.
  ~ListeningSocket();

  // A new descriptor of the same socket for a server to own and close: the
  // socket listens until every descriptor of it is closed.
  absl::StatusOr<int> Duplicate() const;
  int port() const { return port_; }

 private:
  ListeningSocket(int fd, int port) : fd_(fd), port_(port) {}

  int fd_ = -1;
  int port_ = 0;
};

}  // namespace logbook::net
