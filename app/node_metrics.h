#pragma once
// What /metrics says about the node itself: the registry, self-preservation,
// the log and its writer, snapshots, the data dir, connections and the event
// stream. Values owned elsewhere are read at scrape time; the few streams of
// happenings (group-commit batches, evictions, append latency) are counted
// here as they happen.
//
// Peers and other parts add their own net::MetricsCollector to the same
// net::MetricsRegistry (the replication lag metrics go there).
//
// Thread: the loop thread, except OnBatchDurable (writer thread) and
// OnCommit (writer thread) and OnSnapshot (snapshotter thread), which touch
// only atomics.
#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/clock.h"
#include "core/event.h"
#include "core/registry.h"
#include "core/self_preservation.h"
#include "net/handlers/logbook_api.h"
#include "net/http_server.h"
#include "net/logger.h"
#include "net/metrics.h"
#include "net/write_pipeline.h"
#include "storage/event_log.h"
#include "storage/snapshotter.h"

namespace logbook::app {

// What the collector reads; each must outlive the NodeMetrics (or its last
// scrape). Null members are left out of the exposition.
struct NodeMetricsSources {
  const core::Registry* registry = nullptr;
  const net::WritePipeline* pipeline = nullptr;
  const storage::EventLog* log = nullptr;
  const storage::Snapshotter* snapshotter = nullptr;
  const net::LogbookApi* logbook = nullptr;
  const net::HttpServer* server = nullptr;
};

class NodeMetrics final : public net::MetricsCollector {
 public:
  NodeMetrics(const core::Clock& clock, std::string data_dir,
              core::SelfPreservationOptions self_preservation, net::Logger& logger);

  void Watch(const NodeMetricsSources& sources) { sources_ = sources; }

  // Writer thread, after each successful group commit.
  void OnCommit(std::uint64_t events, std::int64_t write_ns);
  // Snapshotter thread after each snapshot written or failed to write; loop
  // thread when a cut fails.
  void OnSnapshot(const storage::SnapshotterStats& stats);
  // Loop thread, every applied event: counts (and logs at debug) evictions.
  void OnApplied(const core::Event& event);

  net::Histogram& append_latency() { return append_latency_seconds_; }

  void Collect(net::MetricsTextWriter& writer) override;

 private:
  void CollectRegistry(net::MetricsTextWriter& writer);
  void CollectLog(net::MetricsTextWriter& writer);
  void CollectSnapshots(net::MetricsTextWriter& writer);
  void CollectHttp(net::MetricsTextWriter& writer);

  const core::Clock& clock_;
  const std::string data_dir_;
  const core::SelfPreservationOptions self_preservation_;
  net::Logger& logger_;
  NodeMetricsSources sources_;

  net::Histogram batch_events_;
  net::Histogram commit_seconds_;
  net::Histogram append_latency_seconds_;

  std::atomic<core::TimestampMs> last_snapshot_at_ms_{0};  // 0: none by this process
  std::atomic<std::int64_t> last_snapshot_ms_{0};
  net::Counter snapshot_failures_;

  // EVICT events by reason (kEvictReasons order).
  net::Counter evicted_[2];
};

// Bytes of the files under `dir` (the data dir's disk use), 0 if unreadable.
// A directory walk: a RocksDB dir holds tens of files, so it costs
// microseconds per scrape.
std::uint64_t DirectoryBytes(const std::string& dir);

}  // namespace logbook::app
