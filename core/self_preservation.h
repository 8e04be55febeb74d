#pragma once
// Self-preservation arithmetic (eureka-protocol.md §6.1, §6.2).
#include <cstdint>

namespace logbook::core {

struct SelfPreservationOptions {
  bool enabled = true;                              // enable-self-preservation
  double renewal_percent_threshold = 0.85;          // renewal-percent-threshold
  std::int32_t expected_client_renewal_interval_seconds = 30;
};

// (int)(expected × (60 / interval) × percent); interval <= 0 means 30.
std::int64_t RenewsPerMinuteThreshold(std::int64_t expected_clients,
                                      const SelfPreservationOptions& options);

// §6.1: always true when disabled; else threshold > 0 and renews > threshold.
bool IsLeaseExpirationEnabled(std::int64_t renews_last_min, std::int64_t threshold,
                              const SelfPreservationOptions& options);

// §6.2 periodic update: the new expected count, or the current one when the
// drop is larger than allowed. up_instances = instances currently UP.
std::int64_t UpdatedExpectedClients(std::int64_t current_expected, std::int64_t up_instances,
                                    const SelfPreservationOptions& options);

}  // namespace logbook::core
