#include "core/eviction_planner.h"

#include <algorithm>
#include <limits>
#include <random>
#include <utility>

namespace logbook::core {
namespace {

struct Candidate {
  const std::string* app;
  const std::string* instance_id;
  TimestampMs expires_at_ms;
};

// Uniform in [0, bound) without modulo bias. Written out rather than using
// std::uniform_int_distribution, whose algorithm differs between standard
// libraries: the same seed picks the same victims on every build.
std::uint64_t UniformBelow(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t limit = max - max % bound;  // a multiple of bound
  std::uint64_t draw;
  do {
    draw = rng();
  } while (draw >= limit);
  return draw % bound;
}

}  // namespace

std::vector<Event> PlanEvictions(const Registry& registry, const EvictionInput& input,
                                 const SelfPreservationOptions& options) {
  const std::int64_t renews_last_min = registry.RenewsLastMinute(input.now_ms);
  const std::int64_t threshold = RenewsPerMinuteThreshold(registry.expected_clients(), options);
  // §6.3 step 2: self-preservation stops all eviction.
  if (!IsLeaseExpirationEnabled(renews_last_min, threshold, options)) return {};

  // §6.3 step 3, walked in (app, id) order so the seed alone decides the pick.
  std::vector<Candidate> expired;
  for (const auto& [app, application] : registry.applications()) {
    for (const auto& [instance_id, record] : application.instances) {
      const Lease& lease = record.lease;
      // One duration, not two: Part A, §4.6.
      if (!lease.IsExpired(input.now_ms, input.compensation_ms)) continue;
      // Restart grace (Part A): treat every lease as renewed when the node
      // became ready, so a client gets its own full duration to come back.
      if (input.now_ms <= input.grace_start_ms + lease.duration_ms) continue;
      expired.push_back(Candidate{&app, &instance_id, lease.ExpiresAt()});
    }
  }
  if (expired.empty()) return {};

  // §6.3 step 4: at most (1 - percent) of the registry per run, computed with
  // Eureka's truncation (size 1 -> 1, 6 -> 1, 10 -> 2, 20 -> 3, 100 -> 15).
  const std::int64_t registry_size = registry.instance_count();
  const auto kept = static_cast<std::int64_t>(static_cast<double>(registry_size) *
                                              options.renewal_percent_threshold);
  const std::int64_t cap = registry_size - kept;
  const std::size_t to_evict =
      std::min(expired.size(), static_cast<std::size_t>(std::max<std::int64_t>(cap, 0)));

  EvictReason reason;
  reason.renews_last_min = renews_last_min;
  reason.renews_threshold = threshold;
  reason.self_preservation_enabled = options.enabled;
  reason.expired_count = static_cast<std::uint32_t>(expired.size());
  reason.eviction_cap = static_cast<std::uint32_t>(std::max<std::int64_t>(cap, 0));
  reason.registry_size = static_cast<std::uint32_t>(registry_size);

  // §6.3 step 5: a partial Fisher–Yates shuffle picks to_evict of them
  // uniformly at random.
  std::mt19937_64 rng(input.seed);
  std::vector<Event> events;
  events.reserve(to_evict);
  for (std::size_t i = 0; i < to_evict; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(UniformBelow(rng, expired.size() - i));
    std::swap(expired[i], expired[j]);
    Event event;
    event.type = EventType::kEvict;
    event.timestamp_ms = input.now_ms;
    event.source = EventSource::kEvictor;
    event.app = *expired[i].app;
    event.instance_id = *expired[i].instance_id;
    event.evict_reason = reason;
    event.evict_reason.lease_expired_at_ms = expired[i].expires_at_ms;
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace logbook::core
