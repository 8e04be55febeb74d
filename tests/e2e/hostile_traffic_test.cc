// Hostile traffic against the real binary (issue 7, "Hostile input"): at the
// same time slow-loris heads, idle connections up to and beyond
// logbook.http.max-connections, pipelined floods that never read, and
// oversized heads and bodies; meanwhile a well-behaved client keeps
// registering, renewing and fetching with low latency, and the node's memory
// stays bounded. The scenario lives in tests/testing/hostile_traffic.cc
// (bench/hostile_traffic runs it with more load).
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tests/testing/hostile_traffic.h"

namespace logbook::e2e {
namespace {

using logbook::testing::FormatHostileTrafficReport;
using logbook::testing::HostileTrafficOptions;
using logbook::testing::HostileTrafficReport;
using logbook::testing::RunHostileTraffic;

constexpr int kMaxConnections = 200;
// Generous bounds: the machine is shared, and the point is that the attack
// does not starve the client or grow the node without limit. A Debug build
// under ASan (tools/run_tests.sh's second pass) is many times slower and says
// nothing about the node's latency: there the bound only catches starvation.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kClientP99BoundMs = 3000;
#else
constexpr double kClientP99BoundMs = 200;
#endif
constexpr std::int64_t kRssBoundKib = 300 * 1024;

class HostileTraffic : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "logbook.http.max-connections=" + std::to_string(kMaxConnections),
            // Short, so the slow-loris heads are cut during the test.
            "--set", "logbook.http.header-timeout-ms=1500"};
  }
};

TEST_F(HostileTraffic, WellBehavedClientKeepsWorkingWithinBoundedMemory) {
  HostileTrafficOptions options;
  options.port = port();
  options.server_pid = node_->pid();
  options.max_connections = kMaxConnections;
  options.duration = std::chrono::milliseconds(6000);
  options.slow_loris_connections = 40;
  options.idle_connections = 250;  // with the others, ~115 beyond the cap
  options.pipelined_connections = 4;
  options.pipelined_requests_per_connection = 200000;
  options.oversized_probes = 20;

  const HostileTrafficReport report = RunHostileTraffic(options);
  const std::string figures = FormatHostileTrafficReport(report);
  std::cout << figures;

  // The client was served throughout, quickly.
  EXPECT_GT(report.client_requests, 100u) << figures;
  EXPECT_EQ(report.client_failures, 0u) << figures;
  EXPECT_LT(report.client_p99_ms, kClientP99BoundMs) << figures;
  // Memory stayed bounded despite ~15 MB of pipelined requests offered per
  // flood connection, never read, and the oversized requests.
  EXPECT_GT(report.peak_rss_kib, 0) << figures;
  EXPECT_LT(report.peak_rss_kib, kRssBoundKib) << figures;

  // Beyond the cap: a clear refusal, never a silent drop. 1 client + 20
  // probes + 4 floods + 40 slow + 250 idle = 315 connections for 200 slots.
  EXPECT_GE(report.refused_with_503, 315 - kMaxConnections) << figures;
  EXPECT_EQ(report.refused_without_answer, 0) << figures;
  EXPECT_GT(report.idle_accepted, 0) << figures;
  // The header deadline cut the slow-loris heads.
  EXPECT_GE(report.slow_loris_closed, options.slow_loris_connections) << figures;
  // Back-pressure: the floods could not push everything in.
  EXPECT_LT(report.pipelined_bytes_sent, report.pipelined_bytes_offered) << figures;
  // Oversized heads and bodies got 431 and 413.
  EXPECT_EQ(report.oversized_431, options.oversized_probes / 2) << figures;
  EXPECT_EQ(report.oversized_413, options.oversized_probes / 2) << figures;
  EXPECT_EQ(report.oversized_wrong_status + report.oversized_no_answer, 0) << figures;

  // After the attack the node still answers a fresh client.
  HttpClient fresh(port());
  EXPECT_EQ(fresh.Get("/healthz").status, 200);
}

}  // namespace
}  // namespace logbook::e2e
