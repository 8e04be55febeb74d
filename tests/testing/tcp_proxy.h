#pragma once
// A TCP proxy on 127.0.0.1 for partition tests: it forwards every accepted
// connection to a target port, and can cut the path the two ways a real
// network does. Blackhole: connections are still accepted (the kernel
// completes the handshake) but no byte moves in either direction, on new or
// existing connections, so the peer sees only silence and must time out.
// Reset: every open connection is closed with a RST. Heal: bytes flow again
// (held connections are connected to the target and what they buffered is
// delivered).
//
// Thread: one thread of its own pumps the bytes; the methods are for one
// other thread (the test's).
#include <atomic>
#include <mutex>
#include <thread>

namespace logbook::testing {

class TcpProxy {
 public:
  explicit TcpProxy(int target_port);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The port it listens on (0 if it could not listen).
  int port() const { return port_; }

  void Blackhole();
  void Heal();
  // RSTs every connection open now, on both sides.
  void ResetAll();
  // Connections accepted since the start.
  int accepted() const { return accepted_.load(); }

 private:
  void Run();

  int target_port_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // a pipe: a byte wakes the pump thread
  int port_ = 0;
  std::atomic<bool> blackholed_{false};
  std::atomic<bool> reset_requested_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;  // serialises the test thread's requests
  std::thread thread_;
};

}  // namespace logbook::testing
