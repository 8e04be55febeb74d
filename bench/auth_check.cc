// What access control adds to one request on the loop thread:
// AccessControl::Check for a client reading an instance with valid
// credentials (parse, base64, SHA-256, constant-time compare, role table),
// and for a wrong password (the same plus the 401 response). No sockets.
//
// Usage: build/bench/auth_check [ITERATIONS=1000000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "net/access_control.h"
#include "net/basic_auth.h"

namespace {

using logbook::net::AccessControl;
using logbook::net::HttpRequest;

double NanosPerCheck(AccessControl& access, const HttpRequest& request, long iterations,
                     long* refused) {
  const auto route = logbook::net::MatchRoute(request.path);
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < iterations; ++i) *refused += access.Check(route, request).has_value();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration<double, std::nano>(elapsed).count() / static_cast<double>(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 1000000;
  logbook::net::Logger logger(logbook::net::LogLevel::kError);
  logbook::net::AccessControlOptions options;
  options.enabled = true;
  options.users = {{"bench", logbook::net::Sha256("bench-pw"), logbook::net::kRoleClient}};
  AccessControl access(std::move(options), logger);

  HttpRequest request;
  request.method = "GET";
  request.path = "/eureka/apps/ORDERS/o1";
  request.headers = {{"Host", "127.0.0.1"},
                     {"Accept", "application/json"},
                     {"Authorization", logbook::net::BasicAuthorization("bench", "bench-pw")}};
  long refused = 0;
  const double accepted_ns = NanosPerCheck(access, request, iterations, &refused);
  if (refused != 0) return 1;
  request.headers.back().second = logbook::net::BasicAuthorization("bench", "wrong-pw");
  const double refused_ns = NanosPerCheck(access, request, iterations, &refused);
  if (refused != iterations) return 1;
  std::printf("valid client credentials: %.0f ns per request\n", accepted_ns);
  std::printf("wrong password (401):     %.0f ns per request\n", refused_ns);
  return 0;
}
