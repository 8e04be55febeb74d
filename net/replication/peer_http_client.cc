#include "net/replication/peer_http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/basic_auth.h"
#include "net/http_ascii.h"
#include "net/url_credentials.h"

namespace logbook::net::replication {
namespace {

using Clock = std::chrono::steady_clock;

std::string ErrnoText(int error) { return std::strerror(error); }

std::optional<std::uint64_t> ParseNumber(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

absl::StatusOr<PeerAddress> ParsePeerUrl(std::string_view url_with_credentials,
                                         std::string_view default_authorization) {
  const std::string shown = MaskUrlPassword(url_with_credentials);
  const UrlWithCredentials split = SplitUrlCredentials(url_with_credentials);
  const std::string_view url = split.url;
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("peer URL '", shown, "' is not http://[USER:PASSWORD@]HOST[:PORT][/PATH]"));
  }
  std::string_view rest = url.substr(kScheme.size());
  rest = rest.substr(0, rest.find('/'));
  PeerAddress address;
  address.authorization =
      split.credentials.has_value()
          ? BasicAuthorization(split.credentials->user, split.credentials->password)
          : std::string(default_authorization);
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    address.host = std::string(rest);
  } else {
    std::optional<std::uint64_t> port = ParseNumber(rest.substr(colon + 1));
    if (!port.has_value() || *port == 0 || *port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("peer URL '", shown, "' has a bad port"));
    }
    address.host = std::string(rest.substr(0, colon));
    address.port = static_cast<int>(*port);
  }
  if (address.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("peer URL '", shown, "' has no host"));
  }
  return address;
}

std::string_view PeerResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

PeerHttpClient::PeerHttpClient(PeerAddress address, PeerHttpOptions options, int wake_fd)
    : address_(std::move(address)), options_(options), wake_fd_(wake_fd) {}

PeerHttpClient::~PeerHttpClient() { Close(); }

void PeerHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

absl::Status PeerHttpClient::WaitFor(short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return absl::UnavailableError("timed out");
    pollfd fds[2] = {{fd_, events, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(std::min<std::int64_t>(left, 1 << 30)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("poll: ", ErrnoText(errno)));
    }
    if (fds[1].revents != 0) return absl::CancelledError("stopping");
    if (fds[0].revents != 0) return absl::OkStatus();
  }
}

absl::Status PeerHttpClient::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address_.port);
  if (const int rc = ::getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", address_.host, ": ", ::gai_strerror(rc)));
  }
  absl::Status last = absl::UnavailableError("no address");
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd_ < 0) {
      last = absl::UnavailableError(absl::StrCat("socket: ", ErrnoText(errno)));
      continue;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = absl::UnavailableError(absl::StrCat("connect: ", ErrnoText(errno)));
      Close();
      continue;
    }
    last = WaitFor(POLLOUT, Clock::now() + std::chrono::milliseconds(options_.connect_timeout_ms));
    if (last.ok()) {
      int error = 0;
      socklen_t length = sizeof(error);
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error == 0) break;
      last = absl::UnavailableError(absl::StrCat("connect: ", ErrnoText(error)));
    } else if (absl::IsUnavailable(last)) {
      last = absl::UnavailableError("connect: timed out");
    }
    Close();
    if (absl::IsCancelled(last)) break;
  }
  ::freeaddrinfo(found);
  return last;
}

void PeerHttpClient::AppendAuthorization(std::string* request) const {
  if (!address_.authorization.empty()) {
    absl::StrAppend(request, "Authorization: ", address_.authorization, "\r\n");
  }
}

absl::StatusOr<PeerResponse> PeerHttpClient::Get(std::string_view target,
                                                 std::int64_t read_timeout_ms) {
  std::string request =
      absl::StrCat("GET ", std::string(target), " HTTP/1.1\r\nHost: ", address_.host, ":",
                   address_.port, "\r\nAccept: application/x-logbook-events\r\n");
  AppendAuthorization(&request);
  request += "\r\n";
  return Send(request, read_timeout_ms);
}

absl::StatusOr<PeerResponse> PeerHttpClient::Post(std::string_view target,
                                                  std::string_view content_type,
                                                  const std::vector<std::string>& extra_headers,
                                                  std::string_view body,
                                                  std::int64_t read_timeout_ms) {
  std::string request = absl::StrCat("POST ", std::string(target), " HTTP/1.1\r\nHost: ",
                                     address_.host, ":", address_.port,
                                     "\r\nAccept: application/json\r\nContent-Type: ",
                                     std::string(content_type), "\r\nContent-Length: ",
                                     body.size(), "\r\n");
  AppendAuthorization(&request);
  for (const std::string& header : extra_headers) absl::StrAppend(&request, header, "\r\n");
  absl::StrAppend(&request, "\r\n", std::string(body));
  return Send(request, read_timeout_ms);
}

absl::StatusOr<PeerResponse> PeerHttpClient::Send(const std::string& request,
                                                  std::int64_t read_timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(read_timeout_ms);
  if (fd_ < 0) RETURN_IF_ERROR(Connect());
  absl::StatusOr<PeerResponse> response = Exchange(request, deadline);
  if (!response.ok()) {
    Close();
    return response;
  }
  if (EqualsIgnoreCase(response->Header("Connection"), "close")) Close();
  return response;
}

absl::StatusOr<PeerResponse> PeerHttpClient::Exchange(const std::string& request,
                                                      Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      RETURN_IF_ERROR(WaitFor(POLLOUT, deadline));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return absl::UnavailableError(absl::StrCat("send: ", ErrnoText(errno)));
  }

  // Reads until `buffer_` holds at least `wanted` bytes.
  const auto fill = [&](std::size_t wanted) -> absl::Status {
    char chunk[64 * 1024];
    while (buffer_.size() < wanted) {
      const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return absl::UnavailableError("connection closed by the peer");
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        RETURN_IF_ERROR(WaitFor(POLLIN, deadline));
        continue;
      }
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("recv: ", ErrnoText(errno)));
    }
    return absl::OkStatus();
  };

  std::size_t header_end = std::string::npos;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > options_.max_header_bytes) {
      return absl::DataLossError("answer headers exceed the limit");
    }
    RETURN_IF_ERROR(fill(buffer_.size() + 1));
  }
  PeerResponse response;
  std::string_view head(buffer_.data(), header_end);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) {
    return absl::DataLossError(absl::StrCat("bad status line '", std::string(status_line), "'"));
  }
  std::optional<std::uint64_t> status = ParseNumber(status_line.substr(9, 3));
  if (!status.has_value()) return absl::DataLossError("bad status code");
  response.status = static_cast<int>(*status);
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  std::optional<std::uint64_t> content_length;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? "" : rest.substr(end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return absl::DataLossError("bad header line");
    std::string name(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (EqualsIgnoreCase(name, "Content-Length")) {
      content_length = ParseNumber(value);
      if (!content_length.has_value()) return absl::DataLossError("bad Content-Length");
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return absl::DataLossError("chunked answers are not supported");
    }
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!content_length.has_value()) return absl::DataLossError("answer without Content-Length");
  if (*content_length > options_.max_body_bytes) {
    return absl::DataLossError(absl::StrCat("answer body of ", *content_length,
                                            " bytes exceeds the limit of ",
                                            options_.max_body_bytes));
  }
  const std::size_t body_start = header_end + 4;
  RETURN_IF_ERROR(fill(body_start + *content_length));
  response.body = buffer_.substr(body_start, *content_length);
  buffer_.erase(0, body_start + *content_length);
  return response;
}

}  // namespace logbook::net::replication
