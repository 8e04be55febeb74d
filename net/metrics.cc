#include "net/metrics.h"

#include <algorithm>
#include <cmath>

#include "core/status.h"

namespace logbook::net {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i) LOGBOOK_CHECK(bounds_[i - 1] < bounds_[i]);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // Buckets are inclusive upper bounds: the first bound >= value.
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.bounds = bounds_;
  snapshot.counts.resize(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    snapshot.counts[i] = counts_[i].load(std::memory_order_relaxed);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> bounds;
  bounds.reserve(static_cast<std::size_t>(count));
  double bound = start;
  for (int i = 0; i < count; ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

std::vector<double> LatencySecondsBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
          0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
}

void MetricsRegistry::Add(MetricsCollector* collector) { collectors_.push_back(collector); }

void MetricsRegistry::Remove(MetricsCollector* collector) {
  collectors_.erase(std::remove(collectors_.begin(), collectors_.end(), collector),
                    collectors_.end());
}

std::string MetricsRegistry::Render() const {
  std::string out;
  out.reserve(16 * 1024);
  MetricsTextWriter writer(&out);
  for (MetricsCollector* collector : collectors_) collector->Collect(writer);
  return out;
}

}  // namespace logbook::net
