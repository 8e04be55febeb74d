#pragma once
// The instruments behind /metrics and the registry that renders them.
//
// Most metrics are read from the owning objects at scrape time by a
// MetricsCollector (registry size, offsets, connections...). Instruments are
// for what only exists as a stream of happenings: a Counter or a Histogram
// with fixed buckets. Updates are lock-free and allocation-free (relaxed
// atomics), so the writer thread may observe while the loop scrapes; a scrape
// sees each value torn from the others by at most the updates in flight.
//
// Thread: instruments from any thread; MetricsRegistry on the loop thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/metrics_text.h"

namespace logbook::net {

class Counter {
 public:
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' inclusive upper bounds, strictly increasing; a
  // +Inf bucket follows them.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  // A copy of the current state, for MetricsTextWriter::Histogram.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> counts;
    double sum = 0;
    HistogramData data() const { return {bounds, counts, sum}; }
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

// Bucket bounds 1, factor, factor^2, ... (count bounds), times `start`.
std::vector<double> ExponentialBuckets(double start, double factor, int count);
// Latencies in seconds from 100 us to 30 s, roughly 1-2.5-5 per decade.
std::vector<double> LatencySecondsBuckets();

// Writes some families at scrape time from the current state of what it
// watches. A family must come from one collector only.
class MetricsCollector {
 public:
  virtual ~MetricsCollector() = default;
  virtual void Collect(MetricsTextWriter& writer) = 0;
};

class MetricsRegistry {
 public:
  // `collector` must outlive the registry (or be removed first).
  void Add(MetricsCollector* collector);
  void Remove(MetricsCollector* collector);
  // The whole exposition, collectors in the order they were added.
  std::string Render() const;

 private:
  std::vector<MetricsCollector*> collectors_;
};

}  // namespace logbook::net
