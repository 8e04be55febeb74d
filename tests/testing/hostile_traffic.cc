#include "tests/testing/hostile_traffic.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/http_client.h"

namespace logbook::testing {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A blocking connect to 127.0.0.1 (loopback connects complete from the
// backlog, before the node accepts), then non-blocking for the attack.
int ConnectNonBlocking(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

enum class ReadResult { kData, kWouldBlock, kClosed };

// Appends what is readable now to *into.
ReadResult ReadAvailable(int fd, std::string* into) {
  bool any = false;
  while (true) {
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n > 0) {
      into->append(chunk, static_cast<std::size_t>(n));
      any = true;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return any ? ReadResult::kData : ReadResult::kWouldBlock;
    }
    if (n < 0 && errno == EINTR) continue;
    return ReadResult::kClosed;  // EOF or reset: whatever arrived is in *into
  }
}

// The status of the first response in `bytes`, 0 while its status line is
// incomplete.
int StatusOf(const std::string& bytes) {
  if (bytes.size() < 12 || bytes.compare(0, 5, "HTTP/") != 0) return 0;
  const std::size_t space = bytes.find(' ');
  if (space == std::string::npos || space + 4 > bytes.size()) return 0;
  return std::atoi(bytes.c_str() + space + 1);
}

struct Connection {
  int fd = -1;
  std::string in;
  std::string out;       // still to send (probes, slow loris head)
  std::size_t sent = 0;  // of `out`
  bool send_failed = false;
  bool warmed_up = false;  // its first request was answered 200
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t index = std::min(values.size() - 1,
                                     static_cast<std::size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

std::string RegistrationBody(const std::string& id) {
  return R"({"instance":{"instanceId":")" + id +
         R"(","hostName":"good-host","app":"GOOD","ipAddr":"10.9.9.9","status":"UP",)"
         R"("port":{"$":8080,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},)"
         R"("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",)"
         R"("name":"MyOwn"},"leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90},)"
         R"("vipAddress":"good"}})";
}

class Attack {
 public:
  Attack(const HostileTrafficOptions& options, HostileTrafficReport* report)
      : options_(options), report_(report) {}
  ~Attack() {
    for (std::vector<Connection>* group : {&probes_, &pipelined_, &slow_, &idle_}) {
      for (Connection& connection : *group) connection.Close();
    }
  }

  // Opens every connection, idle ones last. The node's header deadline runs
  // from accept until a first request, so every connection but the
  // slow-loris ones makes one prompt request and then idles as keep-alive
  // (bounded by the much longer idle timeout); those beyond the cap read a
  // 503 instead. Waits (up to 5 s) until every one has its answer.
  void Open() {
    const std::string warm_up = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const auto open = [&](std::vector<Connection>& group, int count, bool warm) {
      for (int i = 0; i < count; ++i) {
        Connection connection;
        connection.fd = ConnectNonBlocking(options_.port);
        if (warm && connection.fd >= 0) {
          (void)::send(connection.fd, warm_up.data(), warm_up.size(), MSG_NOSIGNAL);
        }
        group.push_back(std::move(connection));
      }
    };
    open(probes_, options_.oversized_probes, true);
    open(pipelined_, options_.pipelined_connections, true);
    open(slow_, options_.slow_loris_connections, false);
    open(idle_, options_.idle_connections, true);
    const auto deadline = SteadyClock::now() + milliseconds(5000);
    while (SteadyClock::now() < deadline) {
      bool waiting = false;
      for (std::vector<Connection>* group : {&probes_, &pipelined_, &idle_}) {
        waiting |= !SettleWarmUp(*group, group == &idle_);
      }
      if (!waiting) break;
      std::this_thread::sleep_for(milliseconds(5));
    }
    // The slow-loris connections are settled by Run(): a 503 there is a
    // refusal, a close the header deadline (which runs from accept).
  }

  void Run(SteadyClock::time_point end) {
    const std::string slow_head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    std::string pipeline_chunk;
    const std::string one_request =
        "GET /eureka/v2/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n";
    while (pipeline_chunk.size() < 64 * 1024) pipeline_chunk += one_request;
    const std::uint64_t offered_per_connection =
        static_cast<std::uint64_t>(options_.pipelined_requests_per_connection) * one_request.size();
    std::vector<std::uint64_t> pipelined_sent(pipelined_.size(), 0);
    for (const Connection& connection : pipelined_) {
      if (connection.fd >= 0) report_->pipelined_bytes_offered += offered_per_connection;
    }

    const auto start = SteadyClock::now();
    const auto probe_gap = (end - start) / (options_.oversized_probes + 1);
    int next_probe = 0;
    auto next_trickle = start;
    std::vector<bool> probe_active(probes_.size(), false);

    while (SteadyClock::now() < end) {
      const auto now = SteadyClock::now();
      // Launch the probes spread over the attack.
      while (next_probe < static_cast<int>(probes_.size()) &&
             now >= start + probe_gap * (next_probe + 1)) {
        Connection& probe = probes_[static_cast<std::size_t>(next_probe)];
        if (next_probe % 2 == 0) {
          probe.out = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                      std::string(options_.oversized_head_bytes, 'b') + "\r\n\r\n";
        } else {
          probe.out = "POST /eureka/v2/apps/GOOD HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\nContent-Length: " +
                      std::to_string(options_.oversized_body_bytes) + "\r\n\r\n";
        }
        probe.sent = 0;
        probe.in.clear();
        probe_active[static_cast<std::size_t>(next_probe)] = true;
        ++next_probe;
      }
      // One more byte on every slow-loris head.
      if (now >= next_trickle) {
        next_trickle = now + options_.slow_loris_byte_interval;
        for (Connection& slow : slow_) {
          if (slow.fd < 0) continue;
          const char byte = slow.sent < slow_head.size() ? slow_head[slow.sent] : 'a';
          const ssize_t n = ::send(slow.fd, &byte, 1, MSG_NOSIGNAL);
          if (n == 1) {
            ++slow.sent;
            ++report_->slow_loris_bytes;
          }
        }
      }

      std::vector<pollfd> fds;
      std::vector<std::pair<int, std::size_t>> who;  // (group, index)
      const auto watch = [&](int group, std::size_t index, int fd, short events) {
        if (fd < 0) return;
        fds.push_back(pollfd{fd, events, 0});
        who.emplace_back(group, index);
      };
      for (std::size_t i = 0; i < slow_.size(); ++i) watch(0, i, slow_[i].fd, POLLIN);
      for (std::size_t i = 0; i < pipelined_.size(); ++i) {
        if (pipelined_sent[i] < offered_per_connection) watch(1, i, pipelined_[i].fd, POLLOUT);
      }
      for (std::size_t i = 0; i < probes_.size(); ++i) {
        if (!probe_active[i]) continue;
        const Connection& probe = probes_[i];
        const bool sending = probe.sent < probe.out.size() && !probe.send_failed;
        watch(2, i, probe.fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)));
      }
      if (::poll(fds.data(), fds.size(), 5) <= 0) continue;

      for (std::size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        const auto [group, index] = who[k];
        if (group == 0) {
          Connection& slow = slow_[index];
          // The node's header deadline (or anything else) ended it.
          if (ReadAvailable(slow.fd, &slow.in) == ReadResult::kWouldBlock) continue;
          if (StatusOf(slow.in) == 503) {
            // A reconnection beyond the cap: refused, and left at that.
            ++report_->refused_with_503;
            slow.Close();
            continue;
          }
          ++report_->slow_loris_closed;
          slow.Close();
          // Reconnect so the pressure lasts; beyond the cap that is a refusal.
          Connection again;
          again.fd = ConnectNonBlocking(options_.port);
          slow = std::move(again);
        } else if (group == 1) {
          Connection& flood = pipelined_[index];
          while (pipelined_sent[index] < offered_per_connection) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(
                pipeline_chunk.size(), offered_per_connection - pipelined_sent[index]));
            const ssize_t n = ::send(flood.fd, pipeline_chunk.data(), want, MSG_NOSIGNAL);
            if (n <= 0) break;  // back-pressure (or gone): try again when writable
            pipelined_sent[index] += static_cast<std::uint64_t>(n);
            report_->pipelined_bytes_sent += static_cast<std::uint64_t>(n);
          }
          if (fds[k].revents & (POLLERR | POLLHUP)) flood.Close();
        } else {
          Connection& probe = probes_[index];
          if ((fds[k].revents & POLLOUT) && probe.sent < probe.out.size()) {
            const ssize_t n = ::send(probe.fd, probe.out.data() + probe.sent,
                                     probe.out.size() - probe.sent, MSG_NOSIGNAL);
            if (n > 0) probe.sent += static_cast<std::size_t>(n);
            // The node may answer and close before the whole oversized head
            // is sent: stop sending and read the answer.
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) probe.send_failed = true;
          }
          if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ReadResult read = ReadAvailable(probe.fd, &probe.in);
            if (probe.in.find("\r\n\r\n") != std::string::npos || read == ReadResult::kClosed) {
              FinishProbe(index, probe);
              probe_active[index] = false;
            }
          }
        }
      }
    }
    for (std::size_t i = 0; i < probes_.size(); ++i) {
      if (probe_active[i]) FinishProbe(i, probes_[i]);
    }
    // Slow-loris reconnections refused in the last moments.
    for (Connection& slow : slow_) {
      if (slow.fd < 0) continue;
      ReadAvailable(slow.fd, &slow.in);
      if (StatusOf(slow.in) == 503) ++report_->refused_with_503;
    }
  }

 private:
  // Reads the warm-up answers of `group`: 200 keeps the connection (counted
  // as held when `idle`), 503 or a close is a refusal. True once every
  // connection has its answer.
  bool SettleWarmUp(std::vector<Connection>& group, bool idle) {
    bool settled = true;
    for (Connection& connection : group) {
      if (connection.fd < 0 || connection.warmed_up) continue;
      const ReadResult read = ReadAvailable(connection.fd, &connection.in);
      const std::size_t end = connection.in.find("\r\n\r\n");
      if (StatusOf(connection.in) == 200 && end != std::string::npos) {
        // /healthz's body is small and arrives with its head.
        connection.in.clear();
        connection.warmed_up = true;
        if (idle) ++report_->idle_accepted;
      } else if (StatusOf(connection.in) == 503) {
        ++report_->refused_with_503;
        connection.Close();
      } else if (read == ReadResult::kClosed) {
        ++report_->refused_without_answer;
        connection.Close();
      } else {
        settled = false;
      }
    }
    return settled;
  }

  void FinishProbe(std::size_t index, Connection& probe) {
    const int status = StatusOf(probe.in);
    const int expected = index % 2 == 0 ? 431 : 413;
    if (status == 0) {
      ++report_->oversized_no_answer;
    } else if (status != expected) {
      ++report_->oversized_wrong_status;
    } else if (status == 431) {
      ++report_->oversized_431;
    } else {
      ++report_->oversized_413;
    }
    probe.Close();
  }

  const HostileTrafficOptions& options_;
  HostileTrafficReport* report_;
  std::vector<Connection> probes_;
  std::vector<Connection> pipelined_;
  std::vector<Connection> slow_;
  std::vector<Connection> idle_;
};

}  // namespace

std::int64_t ReadRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

HostileTrafficReport RunHostileTraffic(const HostileTrafficOptions& options) {
  HostileTrafficReport report;
  HttpClient client(options.port, std::chrono::seconds(5));
  const HttpResult first = client.Request(
      "POST", "/eureka/v2/apps/GOOD", {{"Content-Type", "application/json"}},
      RegistrationBody("good-1"));
  if (first.status != 204) {
    report.client_failures = 1;
    report.first_failure = "initial registration: status " + std::to_string(first.status);
    return report;
  }
  report.start_rss_kib = ReadRssKib(options.server_pid);

  Attack attack(options, &report);
  attack.Open();

  std::atomic<bool> running{true};
  std::atomic<std::int64_t> peak_rss{report.start_rss_kib};
  std::thread sampler([&] {
    while (running.load()) {
      const std::int64_t rss = ReadRssKib(options.server_pid);
      if (rss > peak_rss.load()) peak_rss.store(rss);
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  const auto end = SteadyClock::now() + options.duration;
  std::thread attacker([&] { attack.Run(end); });

  // The well-behaved client: renew, fetch, and now and then register again.
  std::vector<double> latencies_ms;
  for (std::uint64_t i = 0; SteadyClock::now() < end; ++i) {
    std::string what;
    int expected = 200;
    const auto t0 = SteadyClock::now();
    HttpResult result;
    if (i % 10 == 0) {
      what = "POST /eureka/v2/apps/GOOD";
      expected = 204;
      result = client.Request("POST", "/eureka/v2/apps/GOOD",
                              {{"Content-Type", "application/json"}},
                              RegistrationBody("good-" + std::to_string(i % 50)));
    } else if (i % 2 == 1) {
      what = "PUT /eureka/v2/apps/GOOD/good-0";
      result = client.Request("PUT", "/eureka/v2/apps/GOOD/good-0");
    } else {
      what = "GET /eureka/v2/apps/GOOD";
      result = client.Get("/eureka/v2/apps/GOOD", {{"Accept", "application/json"}});
    }
    const double latency_ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    if (latencies_ms.empty() || latency_ms > *std::max_element(latencies_ms.begin(), latencies_ms.end())) {
      const double at_ms =
          std::chrono::duration<double, std::milli>(t0 - (end - options.duration)).count();
      report.client_slowest = what + " at +" + std::to_string(static_cast<int>(at_ms)) + " ms";
    }
    latencies_ms.push_back(latency_ms);
    ++report.client_requests;
    if (result.status != expected) {
      if (report.client_failures++ == 0) {
        report.first_failure = what + ": status " + std::to_string(result.status) + " " +
                               result.body.substr(0, 200);
      }
      client.Close();  // a fresh connection for the next request
    }
    // A client's pace, not synchronization: ~100 requests/s.
    std::this_thread::sleep_for(milliseconds(10));
  }
  attacker.join();
  running.store(false);
  sampler.join();
  report.peak_rss_kib = std::max(peak_rss.load(), ReadRssKib(options.server_pid));
  report.client_p50_ms = Percentile(latencies_ms, 0.50);
  report.client_p99_ms = Percentile(latencies_ms, 0.99);
  report.client_max_ms = Percentile(latencies_ms, 1.0);
  return report;
}

std::string FormatHostileTrafficReport(const HostileTrafficReport& r) {
  char buffer[2048];
  std::snprintf(
      buffer, sizeof(buffer),
      "well-behaved client: %llu requests, %llu failures, p50 %.2f ms, p99 %.2f ms, max %.2f ms "
      "(%s)\n"
      "server RSS: %.1f MiB at the start, peak %.1f MiB\n"
      "connections beyond the cap: %d refused with 503, %d closed without it; %d idle held\n"
      "slow loris: %d closed by the header deadline, %llu bytes trickled\n"
      "pipelined flood: %llu of %llu bytes let in (the rest held back)\n"
      "oversized: %d x 431, %d x 413, %d wrong status, %d unanswered\n",
      static_cast<unsigned long long>(r.client_requests),
      static_cast<unsigned long long>(r.client_failures), r.client_p50_ms, r.client_p99_ms,
      r.client_max_ms, r.client_slowest.c_str(), static_cast<double>(r.start_rss_kib) / 1024.0,
      static_cast<double>(r.peak_rss_kib) / 1024.0, r.refused_with_503, r.refused_without_answer,
      r.idle_accepted, r.slow_loris_closed, static_cast<unsigned long long>(r.slow_loris_bytes),
      static_cast<unsigned long long>(r.pipelined_bytes_sent),
      static_cast<unsigned long long>(r.pipelined_bytes_offered), r.oversized_431,
      r.oversized_413, r.oversized_wrong_status, r.oversized_no_answer);
  std::string text = buffer;
  if (!r.first_failure.empty()) text += "first failure: " + r.first_failure + "\n";
  return text;
}

}  // namespace logbook::testing
