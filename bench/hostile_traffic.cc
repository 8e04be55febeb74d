// Hostile traffic at bench scale: starts `logbook serve` (build/app/logbook,
// data dir under /tmp), runs tests/testing/hostile_traffic.cc's scenario with
// more load than the e2e test, and prints the figures as a Markdown table
// for bench/RESULTS.md (bench/hostile_traffic.sh writes them there).
//
//   hostile_traffic [--duration-s 20] [--max-connections 1000] [--slow 200]
//                   [--idle 1200] [--floods 16] [--probes 40]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tests/testing/hostile_traffic.h"
#include "tests/testing/node_process.h"

int main(int argc, char** argv) {
  using logbook::testing::HostileTrafficOptions;
  int duration_s = 20;
  HostileTrafficOptions options;
  options.max_connections = 1000;
  options.slow_loris_connections = 200;
  options.idle_connections = 1200;
  options.pipelined_connections = 16;
  options.pipelined_requests_per_connection = 200000;
  options.oversized_probes = 40;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--duration-s") {
      duration_s = value;
    } else if (flag == "--max-connections") {
      options.max_connections = value;
    } else if (flag == "--slow") {
      options.slow_loris_connections = value;
    } else if (flag == "--idle") {
      options.idle_connections = value;
    } else if (flag == "--floods") {
      options.pipelined_connections = value;
    } else if (flag == "--probes") {
      options.oversized_probes = value;
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  options.duration = std::chrono::seconds(duration_s);

  logbook::testing::TempDir dir;
  logbook::testing::NodeProcess node(
      dir.path() + "/data",
      {"--set", "logbook.http.max-connections=" + std::to_string(options.max_connections),
       "--set", "logbook.http.header-timeout-ms=2000"});
  if (!node.Start()) {
    std::cerr << "logbook serve did not start:\n" << node.Output();
    return 1;
  }
  options.port = node.port();
  options.server_pid = node.pid();
  const logbook::testing::HostileTrafficReport r = logbook::testing::RunHostileTraffic(options);
  std::cerr << logbook::testing::FormatHostileTrafficReport(r);

  const int total = 1 + options.oversized_probes + options.pipelined_connections +
                    options.slow_loris_connections + options.idle_connections;
  std::printf("| setting | value |\n|---|---|\n");
  std::printf("| attack | %d s: %d slow-loris heads (1 byte / 100 ms each, reconnecting), "
              "%d idle keep-alive connections, %d pipelined floods (%d GETs each, never read), "
              "%d oversized probes (431 / 413) |\n",
              duration_s, options.slow_loris_connections, options.idle_connections,
              options.pipelined_connections, options.pipelined_requests_per_connection,
              options.oversized_probes);
  std::printf("| node | `logbook.http.max-connections=%d`, `header-timeout-ms=2000`, "
              "other limits default; data dir on /tmp |\n\n",
              options.max_connections);
  std::printf("| figure | value |\n|---|---|\n");
  std::printf("| well-behaved client (register / renew / fetch, ~100 req/s) | %llu requests, "
              "%llu failures |\n",
              static_cast<unsigned long long>(r.client_requests),
              static_cast<unsigned long long>(r.client_failures));
  std::printf("| its latency p50 / p99 / max | **%.2f / %.2f / %.2f ms** |\n", r.client_p50_ms,
              r.client_p99_ms, r.client_max_ms);
  std::printf("| server RSS at the start / peak | %.1f / **%.1f MiB** |\n",
              static_cast<double>(r.start_rss_kib) / 1024.0,
              static_cast<double>(r.peak_rss_kib) / 1024.0);
  std::printf("| connections offered / cap | %d / %d |\n", total, options.max_connections);
  std::printf("| refused with 503 / closed without it | %d / %d |\n", r.refused_with_503,
              r.refused_without_answer);
  std::printf("| slow-loris heads cut by the header deadline | %d |\n", r.slow_loris_closed);
  std::printf("| pipelined bytes let in / offered | %.1f / %.1f MB |\n",
              static_cast<double>(r.pipelined_bytes_sent) / 1e6,
              static_cast<double>(r.pipelined_bytes_offered) / 1e6);
  std::printf("| oversized: 431 / 413 / wrong / unanswered | %d / %d / %d / %d |\n",
              r.oversized_431, r.oversized_413, r.oversized_wrong_status, r.oversized_no_answer);
  node.Stop(15);
  return r.client_failures == 0 ? 0 : 1;
}
