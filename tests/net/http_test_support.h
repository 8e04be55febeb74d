#pragma once
// Test helpers for the HTTP server: a server running its own libuv loop on a
// background thread, and a small blocking-socket client. Every wait has a
// deadline; nothing sleeps for correctness.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "gtest/gtest.h"
#include "net/http_ascii.h"
#include "net/http_server.h"
#include "net/listening_socket.h"
#include "net/loop_mailbox.h"

namespace logbook::net::testing {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

inline constexpr milliseconds kDeadline{10000};

[[noreturn]] inline void DieInTest(const char* what) {
  std::fprintf(stderr, "test harness: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

// Polls `predicate` until it holds or `timeout` passes.
inline bool WaitUntil(const std::function<bool()>& predicate, milliseconds timeout = kDeadline) {
  Clock::time_point deadline = Clock::now() + timeout;
  while (!predicate()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

// An HttpServer on 127.0.0.1:<ephemeral> with its own loop thread.
// Start() once; the destructor shuts down and joins (aborting if that hangs,
// since a hung loop thread cannot be joined).
class TestServer {
 public:
  TestServer() {
    if (uv_loop_init(&loop_) != 0) DieInTest("uv_loop_init failed");
    mailbox_ = std::make_unique<LoopMailbox>(&loop_);
  }

  ~TestServer() {
    if (thread_.joinable()) {
      // Teardown hooks release responders a failed test left behind, so
      // that shutdown (which waits for in-flight requests) can finish.
      std::promise<void> hooks_ran;
      std::future<void> hooks_future = hooks_ran.get_future();
      if (mailbox_->Post([this, &hooks_ran] {
            for (auto& hook : teardown_) hook();
            teardown_.clear();
            hooks_ran.set_value();
          })) {
        if (hooks_future.wait_for(kDeadline) != std::future_status::ready) {
          DieInTest("teardown hooks timed out");
        }
      }
      if (!shutdown_started_) StartShutdown();
      if (!WaitShutdownDone()) DieInTest("server shutdown did not complete");
      thread_.join();
    }
    server_.reset();
    mailbox_.reset();
    // Runs close callbacks of anything closed after the thread stopped.
    uv_run(&loop_, UV_RUN_NOWAIT);
    if (uv_loop_close(&loop_) != 0) DieInTest("a libuv handle was left open");
  }

  // Listens and starts the loop thread. The handler runs on that thread.
  void Start(HttpHandler handler, HttpLimits limits = HttpLimits()) {
    server_ = std::make_unique<HttpServer>(&loop_, limits, std::move(handler));
    RunAfterListen(server_->Listen("127.0.0.1", 0));
  }
  // The same, accepting on `socket` (which the caller keeps).
  void StartOn(const ListeningSocket& socket, HttpHandler handler) {
    server_ = std::make_unique<HttpServer>(&loop_, HttpLimits(), std::move(handler));
    RunAfterListen(server_->Listen(socket));
  }

  // Runs `hook` on the loop thread when the server is destroyed, before it
  // shuts down. Use it to drop held responders; state the handler touches
  // must be declared before the server so that it outlives the loop thread.
  void AtTeardown(absl::AnyInvocable<void()> hook) { teardown_.push_back(std::move(hook)); }

  int port() const { return port_; }
  uv_loop_t* loop() { return &loop_; }
  // For handlers: Post() from the loop thread defers to a later loop turn.
  LoopMailbox& mailbox() { return *mailbox_; }

  // Runs `fn` on the loop thread and waits for it.
  void RunOnLoop(absl::AnyInvocable<void()> fn) {
    std::promise<void> ran;
    std::future<void> ran_future = ran.get_future();
    if (!mailbox_->Post([&fn, &ran] {
          fn();
          ran.set_value();
        })) {
      DieInTest("RunOnLoop after the mailbox closed");
    }
    if (ran_future.wait_for(kDeadline) != std::future_status::ready) {
      DieInTest("RunOnLoop timed out");
    }
  }

  HttpServerStats Stats() {
    HttpServerStats stats;
    RunOnLoop([&] { stats = server_->stats(); });
    return stats;
  }

  // Begins HttpServer::Shutdown on the loop; returns at once.
  void StartShutdown() {
    shutdown_started_ = true;
    mailbox_->Post([this] {
      server_->Shutdown([this] {
        mailbox_->Close();  // lets uv_run return once everything closed
        shutdown_done_.set_value();
      });
    });
  }

  bool WaitShutdownDone(milliseconds timeout = kDeadline) {
    return shutdown_future_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  void RunAfterListen(const absl::Status& listening) {
    if (!listening.ok()) DieInTest("Listen failed");
    port_ = server_->port();
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }

  uv_loop_t loop_;
  std::unique_ptr<LoopMailbox> mailbox_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
  bool shutdown_started_ = false;
  std::vector<absl::AnyInvocable<void()>> teardown_;  // loop thread once started
  std::promise<void> shutdown_done_;
  std::shared_future<void> shutdown_future_ = shutdown_done_.get_future().share();
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return value;
    }
    return "";
  }
  bool HasHeader(std::string_view name) const {
    for (const auto& header : headers) {
      if (EqualsIgnoreCase(header.first, name)) return true;
    }
    return false;
  }
};

// A blocking TCP client with deadlines on every read.
class TestClient {
 public:
  // `receive_buffer_bytes` > 0 shrinks SO_RCVBUF (set before connect, so
  // the window follows), to make a slow reader with little kernel slack.
  explicit TestClient(int port, int receive_buffer_bytes = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) DieInTest("socket failed");
    if (receive_buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(receive_buffer_bytes));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      DieInTest("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TestClient() { Close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // False if the server already closed or reset the connection.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Closes with a reset (SO_LINGER 0), so the server sees ECONNRESET.
  void Reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    Close();
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Reads one response framed by Content-Length (none for HEAD, 1xx, 204
  // and 304). nullopt on EOF, reset, timeout or a malformed response.
  std::optional<ClientResponse> ReadResponse(bool head_request = false,
                                             milliseconds timeout = kDeadline) {
    Clock::time_point deadline = Clock::now() + timeout;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    ClientResponse response;
    std::size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.1 ", 0) != 0 || status_line.size() < 12) {
      return std::nullopt;
    }
    response.status = std::atoi(status_line.c_str() + 9);
    while (line_end != std::string::npos) {
      std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::size_t value_start = line.find_first_not_of(' ', colon + 1);
      response.headers.emplace_back(
          line.substr(0, colon), value_start == std::string::npos ? "" : line.substr(value_start));
    }
    bool has_body =
        !head_request && response.status >= 200 && response.status != 204 && response.status != 304;
    if (has_body) {
      std::size_t length =
          static_cast<std::size_t>(std::atoll(response.Header("Content-Length").c_str()));
      while (buffer_.size() < length) {
        if (!Fill(deadline)) return std::nullopt;
      }
      response.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    }
    return response;
  }

  // True once the server has closed the connection (EOF or reset) within
  // `timeout`; any data before that is kept for ReadResponse.
  bool WaitForClose(milliseconds timeout = kDeadline) {
    Clock::time_point deadline = Clock::now() + timeout;
    while (Fill(deadline)) {
    }
    return closed_;
  }

  bool closed() const { return closed_; }
  const std::string& unread() const { return buffer_; }

 private:
  // Reads more bytes; false on EOF, reset or deadline.
  bool Fill(Clock::time_point deadline) {
    if (closed_ || fd_ < 0) return false;
    while (true) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return false;
      char chunk[65536];
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        closed_ = true;
        return false;
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

// Answers every request at once with "<METHOD> <path>?<query>\n<body>".
inline HttpHandler EchoHandler() {
  return [](HttpRequest&& request, Responder respond) {
    HttpResponse response;
    response.SetHeader("Content-Type", "text/plain");
    response.body = request.method + " " + request.path + "?" + request.query + "\n" + request.body;
    std::move(respond)(std::move(response));
  };
}

inline std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return std::string("GET ") + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" +
         std::string(extra_headers) + "\r\n";
}

}  // namespace logbook::net::testing
