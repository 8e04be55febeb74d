// replication_latency: propagation latency of one registration from node A to
// node B (docs/replication.md). Per sample: park a long-poll on B's
// /logbook/v1/events at its next offset, POST a registration to A (t0), and
// read B's answer (t1): t1 - t0 covers A's durable commit and reply, B's pull,
// B's durable append and its wake-up of the long-poll. Driven by
// bench/replication/run.sh.
//
//   replication_latency --a PORT --b PORT [--samples 500]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "replication_latency: %s\n", what);
  std::exit(1);
}

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Die("connect");
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

void Send(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) Die("send");
    sent += static_cast<std::size_t>(n);
  }
}

// Reads one Content-Length response; returns {status, body}.
std::pair<int, std::string> Receive(int fd, std::string& buffer) {
  for (;;) {
    const std::size_t end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      const int status = std::atoi(buffer.c_str() + 9);
      std::size_t length = 0;
      const std::size_t at = buffer.find("Content-Length: ");
      if (at != std::string::npos && at < end) length = std::strtoul(buffer.c_str() + at + 16, nullptr, 10);
      if (buffer.size() >= end + 4 + length) {
        std::string body = buffer.substr(end + 4, length);
        buffer.erase(0, end + 4 + length);
        return {status, body};
      }
    }
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) Die("recv");
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

long NextOffset(int fd, std::string& buffer) {
  Send(fd, "GET /logbook/v1/status HTTP/1.1\r\nHost: b\r\n\r\n");
  const auto [status, body] = Receive(fd, buffer);
  const std::size_t at = body.find("\"last_offset\":");
  if (status != 200 || at == std::string::npos) Die("status");
  return std::atol(body.c_str() + at + 14) + 1;
}

}  // namespace

int main(int argc, char** argv) {
  int a_port = 0, b_port = 0, samples = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--a") a_port = std::atoi(argv[i + 1]);
    else if (flag == "--b") b_port = std::atoi(argv[i + 1]);
    else if (flag == "--samples") samples = std::atoi(argv[i + 1]);
    else Die("usage: replication_latency --a PORT --b PORT [--samples N]");
  }
  if (a_port == 0 || b_port == 0) Die("usage: replication_latency --a PORT --b PORT [--samples N]");
  const int a = Connect(a_port);
  const int b = Connect(b_port);
  std::string a_buffer, b_buffer;
  std::vector<double> latencies_ms;
  for (int k = 0; k < samples; ++k) {
    const long from = NextOffset(b, b_buffer);
    Send(b, "GET /logbook/v1/events?from=" + std::to_string(from) +
                "&limit=1&wait_ms=5000 HTTP/1.1\r\nHost: b\r\n\r\n");
    const std::string id = "lat-" + std::to_string(k);
    const std::string body =
        "{\"instance\":{\"instanceId\":\"" + id + "\",\"hostName\":\"" + id +
        "\",\"app\":\"LATENCY\",\"ipAddr\":\"10.1.0.1\",\"status\":\"UP\",\"dataCenterInfo\":{\"@class\":"
        "\"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo\",\"name\":\"MyOwn\"}}}";
    const auto t0 = std::chrono::steady_clock::now();
    Send(a, "POST /eureka/v2/apps/LATENCY HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    const auto [b_status, events] = Receive(b, b_buffer);
    const auto t1 = std::chrono::steady_clock::now();
    const auto [a_status, ignored] = Receive(a, a_buffer);
    if (a_status != 204 || b_status != 200 || events.find(id) == std::string::npos) {
      Die("the registration did not arrive at B");
    }
    latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto at = [&](double q) { return latencies_ms[static_cast<std::size_t>(q * (latencies_ms.size() - 1))]; };
  std::printf("samples=%zu median_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n", latencies_ms.size(),
              at(0.5), at(0.9), at(0.99), latencies_ms.back());
  ::close(a);
  ::close(b);
  return 0;
}
