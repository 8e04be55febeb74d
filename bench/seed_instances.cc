// seed_instances: registers N Eureka instances spread over A apps, fast, over a
// few keep-alive connections with a small pipelining window each. Used by
// bench/run_load.sh before the renew and restart benchmarks.
//
//   seed_instances --port P [--host 127.0.0.1] [--instances 10000] [--apps 100]
//                  [--connections 4] [--depth 32] [--app-prefix BENCH] [--id-prefix i]
//
// Instance k (0 <= k < N) is app "<app-prefix>-<k % A, 4 digits>" and id
// "<id-prefix>-<k, 8 digits>", e.g. BENCH-0007 / i-00000107: bench/load/renew.lua
// derives the same names. Prints one line of key=value and exits 0 when every
// registration got a 2xx, 1 otherwise.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/bench_instances.h"

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  long instances = 10000;
  long apps = 100;
  int connections = 4;
  int depth = 32;
  std::string app_prefix = "BENCH";
  std::string id_prefix = "i";
};

[[noreturn]] void Usage(const char* message) {
  std::fprintf(stderr,
               "seed_instances: %s\n"
               "usage: seed_instances --port P [--host H] [--instances N] [--apps A]\n"
               "                      [--connections C] [--depth D] [--app-prefix S] [--id-prefix S]\n",
               message);
  std::exit(2);
}

long ParseLong(const char* flag, const char* text, long min) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min) {
    std::fprintf(stderr, "seed_instances: %s wants an integer >= %ld, got '%s'\n", flag, min, text);
    std::exit(2);
  }
  return value;
}

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Usage("every flag takes a value");
    const char* value = argv[++i];
    if (flag == "--host") {
      options.host = value;
    } else if (flag == "--port") {
      options.port = static_cast<int>(ParseLong(argv[i - 1], value, 1));
    } else if (flag == "--instances") {
      options.instances = ParseLong(argv[i - 1], value, 0);
    } else if (flag == "--apps") {
      options.apps = ParseLong(argv[i - 1], value, 1);
    } else if (flag == "--connections") {
      options.connections = static_cast<int>(ParseLong(argv[i - 1], value, 1));
    } else if (flag == "--depth") {
      options.depth = static_cast<int>(ParseLong(argv[i - 1], value, 1));
    } else if (flag == "--app-prefix") {
      options.app_prefix = value;
    } else if (flag == "--id-prefix") {
      options.id_prefix = value;
    } else {
      Usage("unknown flag");
    }
  }
  if (options.port == 0) Usage("--port is required");
  return options;
}

std::string AppName(const Options& options, long k) {
  return logbook::bench::BenchAppName(options.app_prefix, options.apps, k);
}

std::string InstanceId(const Options& options, long k) {
  return logbook::bench::BenchInstanceId(options.id_prefix, k);
}

std::string RegisterRequest(const Options& options, long k) {
  const std::string app = AppName(options, k);
  const std::string body = logbook::bench::BenchRegistrationJson(
      app, InstanceId(options, k), logbook::bench::BenchIpAddress(k));
  return "POST /eureka/apps/" + app + " HTTP/1.1\r\nHost: " + options.host +
         "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

bool WriteAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Reads one HTTP response from `fd` (bytes already read are in `buffer`);
// returns its status code, or -1 on a broken connection or malformed head.
int ReadResponse(int fd, std::string& buffer) {
  auto fill = [&]() {
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  };
  std::size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return -1;
  }
  int status = -1;
  if (buffer.compare(0, 5, "HTTP/") != 0 || buffer.size() < 12) return -1;
  status = std::atoi(buffer.c_str() + 9);
  std::size_t content_length = 0;
  std::size_t line = buffer.find("\r\n");
  while (line < head_end) {
    const std::size_t next = buffer.find("\r\n", line + 2);
    const std::string_view header(buffer.data() + line + 2, next - line - 2);
    constexpr std::string_view kName = "content-length:";
    if (header.size() > kName.size() &&
        strncasecmp(header.data(), kName.data(), kName.size()) == 0) {
      content_length = std::strtoul(std::string(header.substr(kName.size())).c_str(), nullptr, 10);
    }
    line = next;
  }
  const std::size_t total = head_end + 4 + content_length;
  while (buffer.size() < total) {
    if (!fill()) return -1;
  }
  buffer.erase(0, total);
  return status;
}

int Connect(const Options& options) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options.port));
  if (::inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  std::atomic<long> next{0};
  std::atomic<long> ok{0};
  std::atomic<long> non2xx{0};
  std::atomic<long> failed{0};
  std::atomic<int> first_bad_status{0};

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < options.connections; ++c) {
    threads.emplace_back([&]() {
      const int fd = Connect(options);
      if (fd < 0) {
        std::fprintf(stderr, "seed_instances: cannot connect to %s:%d: %s\n",
                     options.host.c_str(), options.port, std::strerror(errno));
        failed.fetch_add(1);
        return;
      }
      std::string buffer;
      for (;;) {
        // Claim a window of instances, send them all, then read every reply.
        const long begin = next.fetch_add(options.depth);
        if (begin >= options.instances) break;
        const long end = std::min(options.instances, begin + options.depth);
        std::string requests;
        for (long k = begin; k < end; ++k) requests += RegisterRequest(options, k);
        if (!WriteAll(fd, requests)) {
          failed.fetch_add(end - begin);
          break;
        }
        bool broken = false;
        for (long k = begin; k < end; ++k) {
          const int status = ReadResponse(fd, buffer);
          if (status < 0) {
            failed.fetch_add(end - k);
            broken = true;
            break;
          }
          if (status >= 200 && status < 300) {
            ok.fetch_add(1);
          } else {
            non2xx.fetch_add(1);
            int expected = 0;
            first_bad_status.compare_exchange_strong(expected, status);
          }
        }
        if (broken) break;
      }
      ::close(fd);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seeded=%ld apps=%ld seconds=%.3f rate=%.0f non2xx=%ld failed=%ld first_bad_status=%d\n",
              ok.load(), options.apps, seconds, seconds > 0 ? ok.load() / seconds : 0.0,
              non2xx.load(), failed.load(), first_bad_status.load());
  return ok.load() == options.instances ? 0 : 1;
}
