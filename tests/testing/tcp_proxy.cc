#include "tests/testing/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace logbook::testing {
namespace {

// One proxied connection; `upstream` is -1 while it is held (accepted
// during a blackhole, not yet connected to the target). `pending[i]` holds
// bytes read from side i and not yet written to the other.
struct Link {
  int client = -1;
  int upstream = -1;
  std::string pending[2];
};

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Close with SO_LINGER 0: the other end gets a RST, not a FIN.
void CloseWithReset(int fd) {
  if (fd < 0) return;
  linger hard{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  ::close(fd);
}

int ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  // Blocking connect: on loopback it completes or is refused at once.
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  SetNonBlocking(fd);
  return fd;
}

void CloseLink(Link& link, bool reset) {
  if (reset) {
    CloseWithReset(link.client);
    CloseWithReset(link.upstream);
  } else {
    if (link.client >= 0) ::close(link.client);
    if (link.upstream >= 0) ::close(link.upstream);
  }
  link.client = link.upstream = -1;
}

// Moves bytes from `from` into `buffer`; false once the side is closed.
bool ReadInto(int from, std::string& buffer) {
  char chunk[64 * 1024];
  const ssize_t n = ::read(from, chunk, sizeof(chunk));
  if (n > 0) {
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

bool WriteFrom(int to, std::string& buffer) {
  while (!buffer.empty()) {
    const ssize_t n = ::write(to, buffer.data(), buffer.size());
    if (n > 0) {
      buffer.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return;
  }
  SetNonBlocking(listen_fd_);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread(&TcpProxy::Run, this);
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  if (wake_fds_[1] >= 0) [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (int fd : {listen_fd_, wake_fds_[0], wake_fds_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void TcpProxy::Blackhole() {
  std::lock_guard lock(mu_);
  blackholed_ = true;
  [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], "x", 1);
}

void TcpProxy::Heal() {
  std::lock_guard lock(mu_);
  blackholed_ = false;
  [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], "x", 1);
}

void TcpProxy::ResetAll() {
  std::lock_guard lock(mu_);
  reset_requested_ = true;
  [[maybe_unused]] ssize_t n = ::write(wake_fds_[1], "x", 1);
  // Wait until the pump thread did it, so the caller knows they are gone.
  while (reset_requested_.load()) std::this_thread::yield();
}

void TcpProxy::Run() {
  std::vector<Link> links;
  while (!stopping_.load()) {
    if (reset_requested_.load()) {
      for (Link& link : links) CloseLink(link, /*reset=*/true);
      links.clear();
      reset_requested_ = false;
    }
    std::erase_if(links, [](const Link& link) { return link.client < 0; });
    const bool blackholed = blackholed_.load();
    if (!blackholed) {
      // Healed: held connections reach the target now.
      for (Link& link : links) {
        if (link.upstream < 0) link.upstream = ConnectTo(target_port_);
        if (link.upstream < 0) CloseLink(link, /*reset=*/true);
      }
      std::erase_if(links, [](const Link& link) { return link.client < 0; });
    }

    std::vector<pollfd> fds = {{wake_fds_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    if (!blackholed) {
      for (const Link& link : links) {
        fds.push_back({link.client, static_cast<short>(POLLIN | (link.pending[1].empty() ? 0 : POLLOUT)), 0});
        fds.push_back({link.upstream, static_cast<short>(POLLIN | (link.pending[0].empty() ? 0 : POLLOUT)), 0});
      }
    }
    if (::poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) return;
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (::read(wake_fds_[0], drain, sizeof(drain)) > 0) {
      }
    }
    if (fds[1].revents & POLLIN) {
      for (;;) {
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) break;
        ++accepted_;
        Link link;
        link.client = client;
        if (!blackholed) {
          link.upstream = ConnectTo(target_port_);
          if (link.upstream < 0) {
            CloseWithReset(client);  // target down: refuse as it would
            continue;
          }
        }
        links.push_back(std::move(link));
      }
    }
    if (blackholed) continue;
    // Links were not added to `fds` during this round's accept: index by
    // what was polled.
    const std::size_t polled = (fds.size() - 2) / 2;
    for (std::size_t i = 0; i < polled; ++i) {
      Link& link = links[i];
      const pollfd& client = fds[2 + 2 * i];
      const pollfd& upstream = fds[3 + 2 * i];
      bool open = true;
      if (client.revents & (POLLIN | POLLHUP | POLLERR)) open = ReadInto(link.client, link.pending[0]);
      if (open && (upstream.revents & (POLLIN | POLLHUP | POLLERR))) {
        open = ReadInto(link.upstream, link.pending[1]);
      }
      if (open) open = WriteFrom(link.upstream, link.pending[0]) && WriteFrom(link.client, link.pending[1]);
      if (!open) {
        // One side closed: deliver what is buffered, then close both.
        WriteFrom(link.upstream, link.pending[0]);
        WriteFrom(link.client, link.pending[1]);
        CloseLink(link, /*reset=*/false);
      }
    }
  }
  for (Link& link : links) CloseLink(link, /*reset=*/true);
}

}  // namespace logbook::testing
