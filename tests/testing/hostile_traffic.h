#pragma once
// Hostile traffic against a running node, with a well-behaved client measured
// while it lasts: slow-loris heads trickled a byte at a time, idle
// connections up to and beyond logbook.http.max-connections, pipelined
// floods that never read their responses, and oversized heads and bodies.
// Used by tests/e2e/hostile_traffic_test.cc (bounded) and
// bench/hostile_traffic (more load, figures for bench/RESULTS.md).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace logbook::testing {

struct HostileTrafficOptions {
  int port = 0;
  pid_t server_pid = 0;           // whose VmRSS is sampled
  int max_connections = 200;      // the node's logbook.http.max-connections
  std::chrono::milliseconds duration{8000};  // of the attack, after the setup
  int slow_loris_connections = 40;
  std::chrono::milliseconds slow_loris_byte_interval{100};
  // Opened after every other connection: those beyond the cap are refused.
  int idle_connections = 250;
  int pipelined_connections = 4;
  int pipelined_requests_per_connection = 20000;
  int oversized_probes = 20;       // half 431 (head), half 413 (body)
  std::size_t oversized_head_bytes = 70 * 1024;  // above the default 64 KiB
  std::size_t oversized_body_bytes = 2 * 1024 * 1024;  // above the default 1 MiB
};

struct HostileTrafficReport {
  // The well-behaved client: register, renew and fetch on one keep-alive
  // connection, back to back.
  std::uint64_t client_requests = 0;
  std::uint64_t client_failures = 0;  // wrong status or no answer
  std::string first_failure;
  double client_p50_ms = 0;
  double client_p99_ms = 0;
  double client_max_ms = 0;
  std::string client_slowest;  // which request took client_max_ms, and when
  std::int64_t peak_rss_kib = 0;
  std::int64_t start_rss_kib = 0;

  int idle_accepted = 0;         // held open for the whole attack
  int refused_with_503 = 0;      // idle and slow-loris connections beyond the cap
  int refused_without_answer = 0;  // closed beyond the cap without the 503
  int slow_loris_closed = 0;     // by the node's header deadline
  std::uint64_t slow_loris_bytes = 0;
  std::uint64_t pipelined_bytes_sent = 0;   // what the node let in
  std::uint64_t pipelined_bytes_offered = 0;
  int oversized_431 = 0;
  int oversized_413 = 0;
  int oversized_wrong_status = 0;
  int oversized_no_answer = 0;
};

// Runs the whole scenario (a few seconds of setup, then `duration`).
HostileTrafficReport RunHostileTraffic(const HostileTrafficOptions& options);

// One line per figure, for test output and the bench.
std::string FormatHostileTrafficReport(const HostileTrafficReport& report);

// VmRSS of `pid` in KiB from /proc/PID/status; -1 if unreadable.
std::int64_t ReadRssKib(pid_t pid);

}  // namespace logbook::testing
