#pragma once
// The instances every benchmark registers: one generator shared by
// seed_instances (over HTTP), make_datadir (offline) and bench/micro (in
// process), so each measures the same realistic Eureka registration.
//
// Instance k (0 <= k) is app "<app_prefix>-<k % apps, 4 digits>" and id
// "<id_prefix>-<k, 8 digits>", e.g. BENCH-0007 / i-00000107; bench/load/*.lua
// derive the same names.
#include <string>
#include <string_view>

namespace logbook::bench {

std::string BenchAppName(std::string_view app_prefix, long apps, long k);
std::string BenchInstanceId(std::string_view id_prefix, long k);
// 10.a.b.c, unique for k < 2^24.
std::string BenchIpAddress(long k);

// The {"instance":{...}} body a Spring client would POST for instance k:
// ports, data center, lease, VIPs, the three URLs and one metadata key
// (about 700 bytes).
std::string BenchRegistrationJson(std::string_view app, std::string_view instance_id,
                                  std::string_view ip);

}  // namespace logbook::bench
