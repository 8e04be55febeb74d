#include "bench/micro/http_requests.h"

#include "bench/bench_instances.h"

namespace logbook::bench {

namespace {

std::string InstancePath(long k, long apps) {
  return "/eureka/apps/" + BenchAppName("BENCH", apps, k) + "/" + BenchInstanceId("i", k);
}

}  // namespace

std::string RegisterRequestBytes(long k, long apps) {
  const std::string app = BenchAppName("BENCH", apps, k);
  const std::string body = BenchRegistrationJson(app, BenchInstanceId("i", k), BenchIpAddress(k));
  return "POST /eureka/apps/" + app +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Accept: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string RenewRequestBytes(long k, long apps) {
  return "PUT " + InstancePath(k, apps) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n";
}

std::string GetRequestBytes(std::string_view path, std::string_view accept, bool gzip,
                            bool compact) {
  std::string request = "GET " + std::string(path) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + std::string(accept) + "\r\n";
  if (gzip) request += "Accept-Encoding: gzip\r\n";
  if (compact) request += "X-Eureka-Accept: compact\r\n";
  return request + "\r\n";
}

std::string StatusRequestBytes(long k, long apps, std::string_view status) {
  return "PUT " + InstancePath(k, apps) + "/status?value=" + std::string(status) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
}

std::string CancelRequestBytes(long k, long apps) {
  return "DELETE " + InstancePath(k, apps) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace logbook::bench
