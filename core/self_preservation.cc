#include "core/self_preservation.h"

namespace logbook::core {
namespace {

constexpr std::int32_t kDefaultExpectedRenewalIntervalSecs = 30;

}  // namespace

std::int64_t RenewsPerMinuteThreshold(std::int64_t expected_clients,
                                      const SelfPreservationOptions& options) {
  const std::int32_t interval_secs = options.expected_client_renewal_interval_seconds > 0
                                         ? options.expected_client_renewal_interval_seconds
                                         : kDefaultExpectedRenewalIntervalSecs;
  // Same operation order and truncation as Eureka's (int) cast, so thresholds
  // agree to the unit with a stock server (e.g. 10 expected -> 17, not 16).
  const double renews_per_client_per_min = 60.0 / interval_secs;
  return static_cast<std::int64_t>(static_cast<double>(expected_clients) *
                                   renews_per_client_per_min * options.renewal_percent_threshold);
}

bool IsLeaseExpirationEnabled(std::int64_t renews_last_min, std::int64_t threshold,
                              const SelfPreservationOptions& options) {
  if (!options.enabled) return true;
  // Strictly greater, and never with a zero threshold: a server that expects
  // nobody (Netflix standalone, §6.4) must not evict everybody.
  return threshold > 0 && renews_last_min > threshold;
}

std::int64_t UpdatedExpectedClients(std::int64_t current_expected, std::int64_t up_instances,
                                    const SelfPreservationOptions& options) {
  // A drop larger than (1 - percent) looks like a network partition rather
  // than clients leaving, so self-preservation keeps the old expectation.
  if (!options.enabled ||
      static_cast<double>(up_instances) >
          options.renewal_percent_threshold * static_cast<double>(current_expected)) {
    return up_instances;
  }
  return current_expected;
}

}  // namespace logbook::core
