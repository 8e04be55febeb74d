#include "app/node_metrics.h"

#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/instance.h"
#include "core/self_preservation.h"
#include "core/self_preservation_state.h"
#include "core/status.h"

namespace logbook::app {
namespace {

using net::MetricType;

// Why an instance was evicted, as a label: every EVICT is an expired lease;
// "capped" when its run met the 15 % cap (eureka-protocol.md §6.3), so that
// expired leases were left for later runs.
constexpr std::string_view kEvictReasons[2] = {"lease_expired", "lease_expired_capped"};

std::size_t EvictReasonIndex(const core::EvictReason& reason) {
  return reason.expired_count > reason.eviction_cap ? 1 : 0;
}

}  // namespace

std::uint64_t DirectoryBytes(const std::string& dir) {
  std::error_code error;
  std::uint64_t total = 0;
  std::filesystem::recursive_directory_iterator it(dir, error);
  // Files come and go under RocksDB's feet (compactions): skip what vanished.
  for (; !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (!it->is_regular_file(size_error)) continue;
    const std::uintmax_t size = it->file_size(size_error);
    if (!size_error) total += size;
  }
  return total;
}

NodeMetrics::NodeMetrics(const core::Clock& clock, std::string data_dir,
                         core::SelfPreservationOptions self_preservation, net::Logger& logger)
    : clock_(clock),
      data_dir_(std::move(data_dir)),
      self_preservation_(self_preservation),
      logger_(logger),
      batch_events_(net::ExponentialBuckets(1, 2, 14)),  // 1 .. 8192
      commit_seconds_(net::LatencySecondsBuckets()),
      append_latency_seconds_(net::LatencySecondsBuckets()) {}

void NodeMetrics::OnCommit(std::uint64_t events, std::int64_t write_ns) {
  batch_events_.Observe(static_cast<double>(events));
  commit_seconds_.Observe(static_cast<double>(write_ns) / 1e9);
}

void NodeMetrics::OnSnapshot(const storage::SnapshotterStats& stats) {
  if (!stats.last_error.ok()) {
    snapshot_failures_.Add();
    return;
  }
  last_snapshot_ms_.store(stats.last_encode_ms + stats.last_write_ms, std::memory_order_relaxed);
  last_snapshot_at_ms_.store(clock_.NowMs(), std::memory_order_relaxed);
}

void NodeMetrics::OnApplied(const core::Event& event) {
  if (event.type != core::EventType::kEvict) return;
  const std::size_t reason = EvictReasonIndex(event.evict_reason);
  evicted_[reason].Add();
  logger_.Debug("instance evicted",
                {{"app", event.app},
                 {"instance", event.instance_id},
                 {"reason", kEvictReasons[reason]},
                 {"lease_expired_at_ms", event.evict_reason.lease_expired_at_ms},
                 {"renews_last_min", event.evict_reason.renews_last_min},
                 {"renews_threshold", event.evict_reason.renews_threshold},
                 {"expired_in_run", event.evict_reason.expired_count},
                 {"eviction_cap", event.evict_reason.eviction_cap},
                 {"offset", event.offset}});
}

void NodeMetrics::Collect(net::MetricsTextWriter& writer) {
  CollectRegistry(writer);
  CollectLog(writer);
  CollectSnapshots(writer);
  CollectHttp(writer);
}

void NodeMetrics::CollectRegistry(net::MetricsTextWriter& writer) {
  const core::Registry* registry = sources_.registry;
  if (registry == nullptr) return;
  writer.Family("logbook_registry_applications", MetricType::kGauge,
                "Applications with at least one registered instance.");
  writer.Sample({}, static_cast<std::uint64_t>(registry->applications().size()));
  writer.Family("logbook_registry_instances", MetricType::kGauge,
                "Registered instances by application and status (the status clients see).");
  for (const auto& [name, application] : registry->applications()) {
    std::uint64_t by_status[5] = {};
    for (const auto& [id, record] : application.instances) {
      ++by_status[static_cast<std::size_t>(record.info.status)];
    }
    for (std::size_t status = 0; status < 5; ++status) {
      if (by_status[status] == 0) continue;
      writer.Sample({{"app", name},
                     {"status", core::StatusName(static_cast<core::InstanceStatus>(status))}},
                    by_status[status]);
    }
  }

  const core::TimestampMs now_ms = clock_.NowMs();
  writer.Family("logbook_renews_last_minute", MetricType::kGauge,
                "Renewals counted in the last full minute (the self-preservation meter).");
  writer.Sample({}, registry->RenewsLastMinute(now_ms));
  writer.Family("logbook_renews_threshold", MetricType::kGauge,
                "Renewals per minute below which self-preservation stops lease expiry.");
  writer.Sample({}, core::RenewsPerMinuteThreshold(registry->expected_clients(),
                                                   self_preservation_));
  writer.Family("logbook_self_preservation_enabled", MetricType::kGauge,
                "1 if eureka.server.enable-self-preservation is on.");
  writer.Sample({}, std::int64_t{self_preservation_.enabled ? 1 : 0});
  writer.Family("logbook_lease_expiration_enabled", MetricType::kGauge,
                "1 if expired leases may be evicted now (0: self-preservation holds them).");
  writer.Sample({}, std::int64_t{
                        core::LeaseExpirationEnabled(*registry, now_ms, self_preservation_) ? 1 : 0});
  writer.Family("logbook_evictions_total", MetricType::kCounter,
                "Instances evicted (EVICT events applied), by reason.");
  for (std::size_t i = 0; i < 2; ++i) {
    writer.Sample({{"reason", kEvictReasons[i]}}, evicted_[i].value());
  }
}

void NodeMetrics::CollectLog(net::MetricsTextWriter& writer) {
  if (sources_.log != nullptr) {
    const storage::EventLog& log = *sources_.log;
    writer.Family("logbook_log_first_offset", MetricType::kGauge,
                  "Oldest offset retained in the event log.");
    writer.Sample({}, std::uint64_t{log.first_offset()});
    writer.Family("logbook_log_last_offset", MetricType::kGauge,
                  "Newest offset appended to the event log.");
    writer.Sample({}, std::uint64_t{log.last_offset()});
    writer.Family("logbook_log_durable_offset", MetricType::kGauge,
                  "Newest offset known durable (acknowledged writes are at or below it).");
    writer.Sample({}, std::uint64_t{log.durable_offset()});
    const storage::EventLogStats stats = log.stats();
    writer.Family("logbook_log_fsyncs_total", MetricType::kCounter,
                  "Synced group commits (0 with logbook.log.sync=none).");
    writer.Sample({}, stats.syncs);
    writer.Family("logbook_log_group_commits_total", MetricType::kCounter,
                  "Group commits written by the writer thread.");
    writer.Sample({}, stats.batches);
    writer.Family("logbook_log_events_written_total", MetricType::kCounter,
                  "Events written to the log since start.");
    writer.Sample({}, stats.events_written);
  }
  writer.Family("logbook_log_group_commit_events", MetricType::kHistogram,
                "Events per group commit (one WriteBatch, one sync).");
  writer.Histogram({}, batch_events_.Read().data());
  writer.Family("logbook_log_group_commit_seconds", MetricType::kHistogram,
                "Time the writer thread spends on one group commit: the RocksDB write and, with "
                "logbook.log.sync=always, its WAL sync.");
  writer.Histogram({}, commit_seconds_.Read().data());
  writer.Family("logbook_log_append_to_durable_seconds", MetricType::kHistogram,
                "Time from a write's append on the loop to the loop learning it is durable.");
  writer.Histogram({}, append_latency_seconds_.Read().data());
  if (sources_.pipeline != nullptr) {
    writer.Family("logbook_log_disk_full", MetricType::kGauge,
                  "1 while writes are refused because the data dir's disk is full.");
    writer.Sample({}, std::uint64_t{sources_.pipeline->disk_full().ok() ? 0u : 1u});
    writer.Family("logbook_log_disk_full_episodes_total", MetricType::kCounter,
                  "Times the disk filled up since start (writes refused until a probe succeeded).");
    writer.Sample({}, sources_.pipeline->disk_full_episodes());
  }
  writer.Family("logbook_data_dir_bytes", MetricType::kGauge,
                "Bytes of the files in the data dir (RocksDB: tables, WAL, manifest).");
  writer.Sample({}, DirectoryBytes(data_dir_));
}

void NodeMetrics::CollectSnapshots(net::MetricsTextWriter& writer) {
  if (sources_.snapshotter == nullptr) return;
  const storage::SnapshotterStats stats = sources_.snapshotter->stats();
  writer.Family("logbook_snapshots_total", MetricType::kCounter,
                "Snapshots written by this process.");
  writer.Sample({}, stats.snapshots_written);
  writer.Family("logbook_snapshot_failures_total", MetricType::kCounter,
                "Snapshot attempts that failed (see the warn log line).");
  writer.Sample({}, snapshot_failures_.value());
  writer.Family("logbook_snapshot_last_offset", MetricType::kGauge,
                "Offset covered by the last snapshot written by this process (0: none).");
  writer.Sample({}, std::uint64_t{stats.last_snapshot_offset});
  writer.Family("logbook_snapshot_last_bytes", MetricType::kGauge,
                "Size of the last snapshot written by this process.");
  writer.Sample({}, stats.last_snapshot_bytes);
  writer.Family("logbook_snapshot_last_duration_seconds", MetricType::kGauge,
                "Encoding plus writing time of the last snapshot.");
  writer.Sample({}, static_cast<double>(last_snapshot_ms_.load(std::memory_order_relaxed)) / 1000);
  writer.Family("logbook_snapshot_age_seconds", MetricType::kGauge,
                "Time since the last snapshot written by this process (absent before the first).");
  const core::TimestampMs at_ms = last_snapshot_at_ms_.load(std::memory_order_relaxed);
  if (at_ms != 0) {
    writer.Sample({}, static_cast<double>(clock_.NowMs() - at_ms) / 1000);
  }
}

void NodeMetrics::CollectHttp(net::MetricsTextWriter& writer) {
  if (sources_.server != nullptr) {
    const net::HttpServerStats& stats = sources_.server->stats();
    writer.Family("logbook_http_connections_open", MetricType::kGauge, "Open HTTP connections.");
    writer.Sample({}, stats.connections_open);
    writer.Family("logbook_http_connections_accepted_total", MetricType::kCounter,
                  "HTTP connections accepted.");
    writer.Sample({}, stats.connections_accepted);
    writer.Family("logbook_http_connections_rejected_total", MetricType::kCounter,
                  "HTTP connections closed at once: logbook.http.max-connections reached.");
    writer.Sample({}, stats.connections_rejected);
    writer.Family("logbook_http_received_bytes_total", MetricType::kCounter,
                  "Bytes read from HTTP connections.");
    writer.Sample({}, stats.bytes_in);
    writer.Family("logbook_http_sent_bytes_total", MetricType::kCounter,
                  "Bytes written to HTTP connections.");
    writer.Sample({}, stats.bytes_out);
  }
  if (sources_.logbook != nullptr) {
    writer.Family("logbook_event_stream_waiters", MetricType::kGauge,
                  "Long polls of /logbook/v1/events parked, waiting for new events.");
    writer.Sample({}, static_cast<std::uint64_t>(sources_.logbook->waiter_count()));
  }
}

}  // namespace logbook::app
