#include "bench/bench_instances.h"

#include <cstdio>

namespace logbook::bench {

std::string BenchAppName(std::string_view app_prefix, long apps, long k) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-%04ld", k % apps);
  return std::string(app_prefix) + suffix;
}

std::string BenchInstanceId(std::string_view id_prefix, long k) {
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "-%08ld", k);
  return std::string(id_prefix) + suffix;
}

std::string BenchIpAddress(long k) {
  char ip[32];
  std::snprintf(ip, sizeof ip, "10.%ld.%ld.%ld", (k >> 16) & 255, (k >> 8) & 255, k & 255);
  return ip;
}

std::string BenchRegistrationJson(std::string_view app, std::string_view instance_id,
                                  std::string_view ip) {
  const std::string a(app);
  const std::string id(instance_id);
  const std::string address(ip);
  return "{\"instance\":{\"instanceId\":\"" + id + "\",\"hostName\":\"" + id +
         ".bench.local\",\"app\":\"" + a + "\",\"ipAddr\":\"" + address +
         "\",\"status\":\"UP\",\"port\":{\"$\":8080,\"@enabled\":\"true\"},"
         "\"securePort\":{\"$\":8443,\"@enabled\":\"false\"},"
         "\"dataCenterInfo\":{\"@class\":\"com.netflix.appinfo.InstanceInfo$"
         "DefaultDataCenterInfo\","
         "\"name\":\"MyOwn\"},\"leaseInfo\":{\"renewalIntervalInSecs\":30,\"durationInSecs\":90},"
         "\"vipAddress\":\"" +
         a + "\",\"secureVipAddress\":\"" + a + "\",\"homePageUrl\":\"http://" + address +
         ":8080/\",\"statusPageUrl\":\"http://" + address +
         ":8080/actuator/info\",\"healthCheckUrl\":\"http://" + address +
         ":8080/actuator/health\",\"metadata\":{\"zone\":\"bench\"}}}";
}

}  // namespace logbook::bench
