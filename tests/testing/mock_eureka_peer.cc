#include "tests/testing/mock_eureka_peer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

#include "simdjson.h"

namespace logbook::testing {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Text(simdjson::dom::element object, const char* key) {
  std::string_view value;
  if (object.at_key(key).get_string().get(value) != simdjson::SUCCESS) return "";
  return std::string(value);
}

bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

MockEurekaPeer::~MockEurekaPeer() { Stop(); }

bool MockEurekaPeer::Start(int port) {
  if (listen_fd_ >= 0) return false;
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) return false;
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  socklen_t length = sizeof(address);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Stop();
    return false;
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this, listen_fd = listen_fd_, wake_fd = wake_pipe_[0]] {
    AcceptLoop(listen_fd, wake_fd);
  });
  return true;
}

void MockEurekaPeer::Stop() {
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(wake_pipe_[1], &byte, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> connections;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& connection : connections) connection.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void MockEurekaPeer::AcceptLoop(int listen_fd, int wake_fd) {
  for (;;) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    connections_.emplace_back([this, fd, wake_fd] {
      Serve(fd, wake_fd);
      ::close(fd);
    });
  }
}

void MockEurekaPeer::Serve(int fd, int wake_fd) {
  std::string buffer;
  for (;;) {
    // One request: head, then a Content-Length body.
    std::size_t head_end;
    std::size_t body_length = 0;
    ReceivedBatch request;
    for (;;) {
      head_end = buffer.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::string head = buffer.substr(0, head_end);
        const std::size_t line_end = head.find("\r\n");
        const std::string request_line = head.substr(0, line_end);
        const std::size_t space = request_line.find(' ');
        request.method = request_line.substr(0, space);
        request.target =
            request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
        std::size_t at = line_end;
        while (at != std::string::npos && at < head.size()) {
          const std::size_t next = head.find("\r\n", at + 2);
          const std::string line = head.substr(at + 2, next == std::string::npos
                                                           ? std::string::npos
                                                           : next - at - 2);
          const std::size_t colon = line.find(':');
          if (colon != std::string::npos) {
            const std::string name = Lower(line.substr(0, colon));
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "content-length") body_length = std::strtoull(value.c_str(), nullptr, 10);
            if (name == "content-type") request.content_type = value;
            if (name == "x-netflix-discovery-replication") request.replication_header = value;
          }
          at = next;
        }
        if (buffer.size() >= head_end + 4 + body_length) break;
      }
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents != 0) return;
      char chunk[16384];
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    request.body = buffer.substr(head_end + 4, body_length);
    buffer.erase(0, head_end + 4 + body_length);
    const bool is_batch = request.method == "POST" &&
                          request.target.find("peerreplication/batch") != std::string::npos;
    std::string answer_body;
    int status = 404;
    if (is_batch) {
      status = 200;
      answer_body = Answer(request.body);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batches_.push_back(request);
    }
    if (hang_) {
      pollfd wake{wake_fd, POLLIN, 0};
      while (::poll(&wake, 1, -1) < 0) {
      }
      return;
    }
    const std::string response =
        "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
        "\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(answer_body.size()) + "\r\n\r\n" + answer_body;
    if (!SendAll(fd, response)) return;
  }
}

std::string MockEurekaPeer::Answer(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::array list;
  if (parser.parse(body).get(root) != simdjson::SUCCESS ||
      root.at_key("replicationList").get_array().get(list) != simdjson::SUCCESS) {
    return "{\"responseList\":[]}";
  }
  std::string answer = "{\"responseList\":[";
  std::lock_guard<std::mutex> lock(mutex_);
  bool first = true;
  for (simdjson::dom::element entry : list) {
    ReceivedItem item;
    item.action = Text(entry, "action");
    item.app_name = Text(entry, "appName");
    item.id = Text(entry, "id");
    item.json = simdjson::minify(entry);
    const bool known = known_.contains(item.id);
    std::string extra;
    if (item.action == "Register") {
      known_.insert(item.id);
      item.answered = 200;
    } else if (item.action == "Cancel") {
      item.answered = known ? 200 : 404;
      known_.erase(item.id);
    } else if (item.action == "Heartbeat" && conflicts_.contains(item.id)) {
      item.answered = 409;
      extra = ",\"responseEntity\":" + conflicts_[item.id];
    } else {
      item.answered = known ? 200 : 404;
    }
    if (!first) answer += ",";
    first = false;
    answer += "{\"statusCode\":" + std::to_string(item.answered) + extra + "}";
    items_.push_back(std::move(item));
  }
  return answer + "]}";
}

void MockEurekaPeer::Forget(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  known_.erase(id);
}

void MockEurekaPeer::SetConflict(const std::string& id, std::string bare_instance_json) {
  std::lock_guard<std::mutex> lock(mutex_);
  conflicts_[id] = std::move(bare_instance_json);
}

std::vector<ReceivedBatch> MockEurekaPeer::Batches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return batches_;
}

std::vector<ReceivedItem> MockEurekaPeer::Items() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return items_;
}

std::size_t MockEurekaPeer::Count(const std::string& action, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::size_t count = 0;
  for (const ReceivedItem& item : items_) count += item.action == action && item.id == id;
  return count;
}

}  // namespace logbook::testing
