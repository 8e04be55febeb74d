#include "app/serve.h"

#include <time.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include <uv.h>

#include "app/access_control_config.h"
#include "app/bootstrap.h"
#include "app/heap_prefault.h"
#include "app/http_limits_config.h"
#include "app/node_metrics.h"
#include "app/snapshot_scheduler.h"
#include "app/system_clock.h"
#include "core/registry.h"
#include "core/status.h"
#include "net/access_control.h"
#include "net/evictor.h"
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_server.h"
#include "net/logger.h"
#include "net/loop_mailbox.h"
#include "net/loop_stall_meter.h"
#include "net/loop_turn_hook.h"
#include "net/metrics.h"
#include "net/node_routes.h"
#include "net/request_observer.h"
#include "net/replication/eureka_peer_metrics.h"
#include "net/replication/eureka_push.h"
#include "net/replication/peer_metrics.h"
#include "net/replication/replicator.h"
#include "net/url_credentials.h"
#include "net/write_pipeline.h"
#include "storage/bootstrap_install.h"
#include "storage/event_log.h"
#include "storage/recovery.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_export.h"
#include "storage/snapshot_store.h"
#include "storage/snapshotter.h"
#include "storage/storage_event_codec.h"

namespace logbook::app {
namespace {

net::LogLevel LoggerLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return net::LogLevel::kDebug;
    case LogLevel::kInfo:
      return net::LogLevel::kInfo;
    case LogLevel::kWarn:
      return net::LogLevel::kWarn;
    case LogLevel::kError:
      return net::LogLevel::kError;
  }
  return net::LogLevel::kInfo;
}

core::SelfPreservationOptions SelfPreservationFrom(const Config& config) {
  core::SelfPreservationOptions options;
  options.enabled = config.enable_self_preservation;
  options.renewal_percent_threshold = config.renewal_percent_threshold;
  options.expected_client_renewal_interval_seconds =
      config.expected_client_renewal_interval_seconds;
  return options;
}

// CPU time of the whole process (every thread: RocksDB's background flushes
// during its WAL recovery included), in ms. The restart figures report it
// per phase because wall time on a shared machine mostly measures waiting.
std::int64_t ProcessCpuMs() {
  timespec now{};
  if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now) != 0) return -1;
  return std::int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1000000;
}

// How far ahead of recovery's allocations the heap is faulted in: enough
// for the helper to stay ahead of the decoder between two heap extensions.
constexpr std::size_t kRecoveryPrefaultLeadBytes = std::size_t{32} << 20;

// What an operator can do about a damaged data dir (docs/durability.md).
std::string DamageAdvice(const std::string& data_dir) {
  return "keep " + data_dir + " as it is for inspection; `logbook log verify " + data_dir +
         "` lists every damaged record and snapshot; then restore the dir from a backup, or "
         "start this node on an empty dir so that clients re-register and peers replicate to it";
}

// Everything the running node owns, destroyed in reverse order of creation.
struct Node {
  explicit Node(const Config& config)
      : logger(LoggerLevel(config.log_level)), requests(logger, {.access_log = config.access_log}) {}

  net::Logger logger;
  // Before everything that logs or is observed: destroyed after it.
  net::RequestObserver requests;
  // Before the server, which refers to it.
  std::unique_ptr<net::AccessControl> access;
  std::unique_ptr<NodeMetrics> node_metrics;
  net::MetricsRegistry metrics;
  uv_loop_t loop;
  std::unique_ptr<net::LoopMailbox> mailbox;
  std::unique_ptr<net::LoopStallMeter> loop_meter;
  std::unique_ptr<storage::EventLog> log;
  // Wakes the log's writer once per loop turn (after the log: stopped first).
  std::unique_ptr<net::LoopTurnHook> writer_wakeups;
  // After the log: destroyed (and joined) before it.
  std::unique_ptr<storage::Snapshotter> snapshotter;
  std::unique_ptr<core::Registry> registry;
  std::unique_ptr<net::WritePipeline> pipeline;
  // Cuts the registry for the snapshotter; after both: destroyed before them.
  std::unique_ptr<SnapshotScheduler> snapshots;
  std::unique_ptr<net::EurekaApi> eureka;
  std::unique_ptr<net::LogbookApi> logbook;
  std::unique_ptr<net::Evictor> evictor;
  storage::StorageEventCodec codec;
  std::unique_ptr<net::replication::Replicator> replicator;
  std::unique_ptr<net::replication::EurekaPush> eureka_push;
  std::unique_ptr<net::replication::EurekaPeerMetrics> eureka_push_metrics;
  // Reads the replicator's pullers: destroyed before it.
  std::unique_ptr<net::replication::PeerMetrics> peer_metrics;
  std::unique_ptr<net::HttpServer> server;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  // Polls the pullers until caught up after a bootstrap (readiness).
  uv_timer_t ready_timer;
  bool stopping = false;
  int exit_code = 0;
};

void BeginShutdown(Node& node, int exit_code) {
  if (node.stopping) return;
  node.stopping = true;
  node.exit_code = exit_code;
  node.logger.Info("stopping: finishing in-flight requests and flushing the log",
                   {{"exit_code", exit_code}});
  uv_signal_stop(&node.sigterm);
  uv_signal_stop(&node.sigint);
  node.loop_meter->Stop();
  uv_close(reinterpret_cast<uv_handle_t*>(&node.sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&node.sigint), nullptr);
  // Pullers first: no batch may reach a log that is closing.
  if (node.replicator) node.replicator->Stop();
  if (node.eureka_push) node.eureka_push->Stop();
  node.evictor->Stop();
  node.logbook->set_ready(false);
  node.logbook->ReleaseWaiters();
  node.server->Shutdown([&node] {
    // Every request has been answered; what the writer still holds is flushed.
    node.log->Stop();
    // Everything acknowledged is durable now; a final snapshot of it makes
    // the next start replay (almost) nothing.
    node.snapshots->TakeFinal(node.log->durable_offset());
    node.snapshots->Stop();
    node.snapshotter->Stop();
    node.mailbox->Close();
  });
}

// Startup failed before the loop ran: stop what was started and let the loop
// close the handles already opened on it, so the process exits cleanly.
int AbandonStart(Node& node) {
  node.stopping = true;
  if (node.writer_wakeups) node.writer_wakeups->Stop();
  if (node.replicator) node.replicator->Stop();
  if (node.eureka_push) node.eureka_push->Stop();
  if (node.snapshotter) node.snapshotter->Stop();
  if (node.log) node.log->Stop();
  if (node.server) node.server->Shutdown([] {});
  node.mailbox->Close();
  uv_run(&node.loop, UV_RUN_DEFAULT);
  node.server.reset();
  uv_loop_close(&node.loop);
  return 1;
}

}  // namespace

int RunServe(const Config& given) {
  // A client that disappears mid-response must not kill the node.
  std::signal(SIGPIPE, SIG_IGN);
  BootstrapPhase bootstrap = RunBootstrapPhase(given);
  if (bootstrap.exit_code >= 0) return bootstrap.exit_code;
  Config config = given;
  config.port = bootstrap.port;  // the port the bootstrap placeholder served on
  SystemClock clock;
  Node node(config);
  net::Logger& logger = node.logger;
  // Before the data dir is touched: a bad users file stops the node at once.
  absl::StatusOr<AccessControlSetup> access = AccessControlFrom(config, ProcessEnvironment());
  if (!access.ok()) {
    logger.Error("cannot set up access control", {{"error", core::MessageOf(access.status())}});
    return 1;
  }
  for (const std::string& warning : access->warnings) logger.Warn(warning);
  node.access = std::make_unique<net::AccessControl>(std::move(access->options), logger);
  // Shown in /eureka/status, /logbook/v1/status and the dashboard: never a password.
  std::vector<std::string> shown_peers;
  for (const std::string& peer : config.peers) shown_peers.push_back(net::MaskUrlPassword(peer));
  node.node_metrics = std::make_unique<NodeMetrics>(clock, config.data_dir,
                                                    SelfPreservationFrom(config), logger);
  NodeMetrics* node_metrics = node.node_metrics.get();
  uv_loop_init(&node.loop);
  node.mailbox = std::make_unique<net::LoopMailbox>(&node.loop);

  storage::EventLogOptions log_options;
  log_options.data_dir = config.data_dir;
  log_options.sync = config.sync_always ? storage::SyncPolicy::kAlways : storage::SyncPolicy::kNone;
  log_options.node_id = config.node_id;
  log_options.retention = {.renew_retention_ms = config.renew_retention_ms,
                           .audit_retention_ms = config.audit_retention_ms,
                           .interval_ms = config.retention_interval_ms,
                           .on_error = [&logger](const absl::Status& status) {
                             logger.Error("log retention failed, retrying at the next run",
                                          {{"error", core::MessageOf(status)}});
                           }};
  log_options.on_commit = [node_metrics](std::uint64_t events, std::int64_t write_ns) {
    node_metrics->OnCommit(events, write_ns);
  };
  net::WritePipeline* pipeline = nullptr;  // set before the writer starts
  net::LogbookApi* logbook_api = nullptr;
  net::LoopMailbox* mailbox = node.mailbox.get();
  const auto open_start = std::chrono::steady_clock::now();
  const std::int64_t open_start_cpu_ms = ProcessCpuMs();
  absl::StatusOr<std::unique_ptr<storage::EventLog>> opened = storage::EventLog::Open(
      log_options, [mailbox, &pipeline, &logbook_api](core::Offset durable, absl::Status status) {
        mailbox->Post([durable, status = std::move(status), &pipeline, &logbook_api]() mutable {
          pipeline->OnDurable(durable, std::move(status));
          logbook_api->OnDurableAdvanced();
        });
      });
  if (!opened.ok()) {
    logger.Error("cannot open the data dir",
                 {{"data_dir", config.data_dir}, {"error", core::MessageOf(opened.status())}});
    if (absl::IsDataLoss(opened.status())) {
      logger.Error("what to do", {{"advice", DamageAdvice(config.data_dir)}});
    }
    return AbandonStart(node);
  }
  node.log = std::move(*opened);
  const std::int64_t open_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - open_start)
                                   .count();
  const std::int64_t recovery_start_cpu_ms = ProcessCpuMs();
  const std::int64_t open_cpu_ms = recovery_start_cpu_ms - open_start_cpu_ms;

  core::RegistryOptions registry_options;
  registry_options.initial_expected_clients = config.expected_number_of_clients_sending_renews;
  registry_options.delta_retention_ms = config.retention_time_in_ms_in_delta_queue;
  std::unique_ptr<HeapPrefault> prefault = HeapPrefault::Start(kRecoveryPrefaultLeadBytes);
  absl::StatusOr<storage::Recovered> recovered = storage::Recover(
      *node.log, registry_options, [&logger](const storage::SkippedSnapshot& skipped) {
        logger.Warn("recovery: skipping a damaged snapshot",
                    {{"offset", skipped.offset}, {"reason", skipped.reason}});
      });
  const std::size_t prefaulted_bytes = prefault != nullptr ? prefault->populated_bytes() : 0;
  prefault.reset();
  if (!recovered.ok()) {
    // Never serve a partial registry (ARCHITECTURE.md §3).
    logger.Error("the log is damaged, refusing to start",
                 {{"data_dir", config.data_dir}, {"error", core::MessageOf(recovered.status())}});
    logger.Error("what to do", {{"advice", DamageAdvice(config.data_dir)}});
    return AbandonStart(node);
  }
  node.registry = std::move(recovered->registry);
  // A log that starts from a peer's snapshot holds no event of this node's
  // own before it; until its first own event it is still catching up with
  // the peers that snapshot came from.
  absl::StatusOr<core::Offset> bootstrap_offset = storage::LoadBootstrapOffset(node.log->db());
  if (!bootstrap_offset.ok()) {
    logger.Error("cannot read the data dir", {{"data_dir", config.data_dir},
                                               {"error", core::MessageOf(bootstrap_offset.status())}});
    return AbandonStart(node);
  }
  const bool catching_up_after_bootstrap = *bootstrap_offset != core::kNoOffset &&
                                           node.log->last_offset() == *bootstrap_offset &&
                                           !config.peers.empty();
  const storage::RecoveryInfo& recovery = recovered->info;
  const std::uint64_t replayed = recovery.replayed_events;
  const std::int64_t recovery_ms = recovery.ms;
  const std::int64_t recovery_cpu_ms = ProcessCpuMs() - recovery_start_cpu_ms;

  node.pipeline = std::make_unique<net::WritePipeline>(*node.registry, *node.log,
                                                       node.log->durable_offset());
  pipeline = node.pipeline.get();
  node.pipeline->SetAppendLatencyHistogram(&node_metrics->append_latency());
  node.pipeline->AddAppliedListener(
      [node_metrics](const core::Event& event) { node_metrics->OnApplied(event); });

  const core::SelfPreservationOptions self_preservation = SelfPreservationFrom(config);
  net::EurekaApiOptions eureka_options;
  eureka_options.self_preservation = self_preservation;
  eureka_options.disable_delta = config.disable_delta;
  eureka_options.sync_when_timestamp_differs = config.sync_when_timestamp_differs;
  eureka_options.max_body_bytes = static_cast<std::size_t>(config.http_max_body_bytes);
  eureka_options.peer_urls = shown_peers;
  eureka_options.node_id = node.log->node_id();
  eureka_options.compression_loop = &node.loop;
  node.eureka = std::make_unique<net::EurekaApi>(*node.registry, *node.pipeline, clock,
                                                 std::move(eureka_options));

  net::replication::ReplicatorOptions replicator_options;
  replicator_options.peer_urls = config.peers;
  replicator_options.default_authorization = PeerAuthorizationFrom(config, ProcessEnvironment());
  // Nodes of a cluster share their configuration: long-poll peers no longer
  // than they would hold a poll themselves, so the read timeout (wait +
  // margin) that detects a silent peer shrinks with it.
  replicator_options.puller.wait_ms =
      std::min(replicator_options.puller.wait_ms, std::max<std::int64_t>(config.events_max_wait_ms, 0));
  replicator_options.puller.waiting_retry_ms = config.test_only_waiting_retry_ms;
  replicator_options.merge.registry = node.registry.get();
  replicator_options.merge.decode = [registry_options](std::string_view snapshot,
                                                       core::Offset offset) {
    return storage::DecodeSnapshot(snapshot, offset, registry_options);
  };
  replicator_options.merge.journal = node.log.get();
  replicator_options.merge.audit = &node.log->audit();
  replicator_options.merge.clock = &clock;
  replicator_options.merge_options.max_task_instances =
      static_cast<std::size_t>(config.test_only_merge_task_instances);
  replicator_options.merge_options.pause_between_tasks_ms = config.test_only_merge_pause_ms;
  absl::StatusOr<std::unique_ptr<net::replication::Replicator>> replicator =
      net::replication::Replicator::Create(replicator_options, node.log->node_id(),
                                           node.log->initial_peer_cursors(), *node.mailbox,
                                           *node.pipeline, node.codec, std::random_device{}());
  if (!replicator.ok()) {
    logger.Error("cannot start replication", {{"error", core::MessageOf(replicator.status())}});
    return AbandonStart(node);
  }
  node.replicator = std::move(*replicator);
  net::replication::Replicator* replication = node.replicator.get();

  net::EurekaApi* eureka_api = node.eureka.get();
  net::replication::EurekaPushOptions push_options;
  push_options.queue_capacity = static_cast<std::size_t>(config.eureka_push_max_queue_items);
  absl::StatusOr<std::unique_ptr<net::replication::EurekaPush>> eureka_push =
      net::replication::EurekaPush::Create(
          config.eureka_peers, push_options, *node.registry, *node.pipeline, *node.mailbox,
          [&clock, eureka_api]() {
            core::DecideContext context;
            context.now_ms = clock.NowMs();
            context.lease_expiration_enabled = eureka_api->LeaseExpirationEnabled(context.now_ms);
            return context;
          });
  if (!eureka_push.ok()) {
    logger.Error("cannot push to the Eureka peers",
                 {{"error", core::MessageOf(eureka_push.status())}});
    return AbandonStart(node);
  }
  node.eureka_push = std::move(*eureka_push);
  node.eureka_push_metrics =
      std::make_unique<net::replication::EurekaPeerMetrics>(*node.eureka_push);
  net::replication::EurekaPush* push = node.eureka_push.get();

  net::LogbookApiOptions logbook_options;
  logbook_options.codec = &node.codec;
  if (!config.peers.empty()) {
    logbook_options.peer_status = [replication] { return replication->Statuses(); };
  }
  if (!config.eureka_peers.empty()) {
    logbook_options.eureka_peer_status = [push] { return push->Statuses(); };
  }
  logbook_options.node_id = node.log->node_id();
  logbook_options.log_identity = node.log->log_identity();
  logbook_options.peer_urls = shown_peers;
  logbook_options.recovery = {recovery.snapshot_offset, replayed, recovery_ms};
  logbook_options.self_preservation = self_preservation;
  logbook_options.max_wait_ms = config.events_max_wait_ms;
  logbook_options.audit = &node.log->audit();
  node.loop_meter = std::make_unique<net::LoopStallMeter>(&node.loop);
  logbook_options.loop_meter = node.loop_meter.get();
  // The snapshotter is created below, before the loop runs the first request.
  logbook_options.snapshot_status = [&node]() {
    net::SnapshotStatus status;
    if (node.snapshotter == nullptr) return status;
    const storage::SnapshotterStats stats = node.snapshotter->stats();
    status.in_progress = stats.in_progress;
    status.taken = stats.snapshots_written;
    status.last_offset = stats.last_snapshot_offset;
    status.last_ms = stats.last_encode_ms + stats.last_write_ms;
    status.last_bytes = stats.last_snapshot_bytes;
    if (node.snapshots != nullptr) status.cut_offset = node.snapshots->cut_offset().value_or(0);
    if (!stats.last_error.ok()) status.last_error = std::string(core::MessageOf(stats.last_error));
    return status;
  };
  logbook_options.disk_bytes = [data_dir = config.data_dir]() { return DirectoryBytes(data_dir); };
  logbook_options.own_events_from = *bootstrap_offset + 1;
  logbook_options.snapshot_export =
      [log = node.log.get(),
       registry_options]() -> absl::StatusOr<net::replication::SnapshotTransfer> {
    ASSIGN_OR_RETURN(storage::ExportedSnapshot exported,
                     storage::ExportSnapshot(log->db(), registry_options));
    net::replication::SnapshotTransfer transfer;
    transfer.offset = exported.offset;
    if (exported.offset == core::kNoOffset) return transfer;
    // This node's own stream goes on right after the snapshot.
    transfer.cursors.push_back({log->node_id(), log->log_identity(), exported.offset + 1});
    for (core::PeerCursor& cursor : exported.cursors) transfer.cursors.push_back(std::move(cursor));
    transfer.snapshot = std::move(exported.encoded);
    return transfer;
  };
  node.logbook = std::make_unique<net::LogbookApi>(&node.loop, *node.registry, *node.pipeline,
                                                   *node.log, clock, std::move(logbook_options));
  logbook_api = node.logbook.get();

  // The loop appends as it answers requests; the writer is woken once per
  // loop turn for all of it instead of once per request (a futex wake each,
  // ~13% of the loop thread under renewals), and gets larger batches.
  node.log->DeferWriterWakeups();
  node.writer_wakeups = std::make_unique<net::LoopTurnHook>(
      &node.loop, [log = node.log.get()] { log->WakeWriter(); });
  node.log->Start();
  // Recovery needs the oldest kept snapshot plus every event after it (the
  // older snapshots are the fallback when the newest is damaged), so
  // retention may only drop events at or below that snapshot's offset. With
  // no snapshot the floor stays at 1: recovery replays from the start.
  storage::EventLog* log = node.log.get();
  const auto raise_retention_floor = [log] {
    storage::SnapshotStore store(log->db());
    absl::StatusOr<std::vector<storage::SnapshotInfo>> snapshots = store.List();
    if (!snapshots.ok() || snapshots->empty()) return;
    core::Offset oldest = snapshots->front().offset;
    for (const storage::SnapshotInfo& snapshot : *snapshots) {
      oldest = std::min(oldest, snapshot.offset);
    }
    log->SetRetentionFloor(oldest + 1);
  };
  if (config.test_only_retention_without_snapshot) {
    node.log->SetRetentionFloor(~core::Offset{0});
  } else {
    raise_retention_floor();
  }
  node.log->StartRetention(clock);

  const bool floor_follows_snapshots = !config.test_only_retention_without_snapshot;
  node.snapshotter = std::make_unique<storage::Snapshotter>(
      node.log->db(), recovery.snapshot_offset, storage::SnapshotterOptions{},
      [raise_retention_floor, floor_follows_snapshots, node_metrics,
       &logger](const storage::SnapshotterStats& stats) {
        node_metrics->OnSnapshot(stats);
        if (!stats.last_error.ok()) {
          logger.Warn("snapshot failed", {{"error", core::MessageOf(stats.last_error)}});
          return;
        }
        logger.Debug("snapshot written", {{"offset", stats.last_snapshot_offset},
                                          {"bytes", stats.last_snapshot_bytes},
                                          {"encode_ms", stats.last_encode_ms},
                                          {"write_ms", stats.last_write_ms}});
        if (floor_follows_snapshots) raise_retention_floor();
      });
  node.snapshotter->Start();
  SnapshotSchedulerOptions snapshot_options;
  snapshot_options.every_events = static_cast<std::uint64_t>(config.snapshot_every_events);
  snapshot_options.every_ms = config.snapshot_every_ms;
  snapshot_options.items_per_slice = static_cast<std::size_t>(config.test_only_snapshot_slice_items);
  node.snapshots = std::make_unique<SnapshotScheduler>(&node.loop, *node.registry, *node.pipeline,
                                                       *node.snapshotter, recovery.snapshot_offset,
                                                       snapshot_options);

  net::EvictorOptions evictor_options;
  evictor_options.eviction_interval_ms = config.eviction_interval_timer_in_ms;
  evictor_options.renewal_threshold_update_interval_ms =
      config.renewal_threshold_update_interval_ms;
  evictor_options.restart_grace_ms = config.restart_grace_ms;
  evictor_options.grace_start_ms = clock.NowMs();
  evictor_options.self_preservation = self_preservation;
  evictor_options.logger = &logger;
  if (!config.peers.empty()) {
    evictor_options.peers_caught_up = [replication] { return replication->CaughtUp(); };
  }
  node.evictor = std::make_unique<net::Evictor>(&node.loop, *node.registry, *node.pipeline,
                                                clock, evictor_options, std::random_device{}());

  node.server = std::make_unique<net::HttpServer>(
      &node.loop, HttpLimitsFrom(config),
      net::MakeNodeHandler(*node.eureka, *node.logbook,
                           {.metrics = &node.metrics, .requests = &node.requests},
                           node.access.get()));
  node.server->SetErrorListener(
      [&node](int status, std::string_view detail, std::string_view remote) {
        node.requests.OnConnectionError(status, detail, remote);
      });
  node.node_metrics->Watch({.registry = node.registry.get(),
                            .pipeline = node.pipeline.get(),
                            .log = node.log.get(),
                            .snapshotter = node.snapshotter.get(),
                            .logbook = node.logbook.get(),
                            .server = node.server.get()});
  node.metrics.Add(&node.requests);
  node.metrics.Add(node.node_metrics.get());
  node.metrics.Add(node.access.get());
  node.metrics.Add(node.eureka_push_metrics.get());
  if (!config.peers.empty()) {
    node.peer_metrics = std::make_unique<net::replication::PeerMetrics>(
        [replication] { return replication->Statuses(); });
    node.metrics.Add(node.peer_metrics.get());
  }
  const absl::Status accepting = bootstrap.socket.has_value()
                                    ? node.server->Listen(*bootstrap.socket)
                                    : node.server->Listen(config.host, config.port);
  // The server holds its own descriptor now: once it stops accepting, the
  // port must close, not queue connections nobody will accept.
  bootstrap.socket.reset();
  if (!accepting.ok()) {
    logger.Error("cannot listen", {{"host", config.host},
                                   {"port", config.port},
                                   {"error", core::MessageOf(accepting)}});
    return AbandonStart(node);
  }

  // Disk full (docs/durability.md): the writer dropped the events that were
  // not durable, so the registry is rebuilt from the newest snapshot and the
  // log on disk, exactly as at startup; then the writer may probe for space.
  node.pipeline->SetRollback([&node, registry_options]() -> absl::Status {
    absl::StatusOr<storage::Recovered> rebuilt = storage::Recover(*node.log, registry_options);
    if (!rebuilt.ok()) return rebuilt.status();
    // A cut of the state being replaced (or not durable) must not be written.
    node.snapshots->AbandonCut();
    *node.registry = std::move(*rebuilt->registry);
    node.eureka->OnRegistryReplaced();
    node.logger.Warn("disk full: registry rolled back to the durable log; writes refused until a "
                     "probe write succeeds",
                     {{"offset", node.registry->last_applied_offset()},
                      {"replayed_events", rebuilt->info.replayed_events}});
    node.log->AllowResume();
    return absl::OkStatus();
  });
  node.pipeline->SetDiskFullListener([&node, &clock](const absl::Status& status) {
    if (status.ok()) {
      node.evictor->BeginGrace(clock.NowMs());
      node.logger.Info("disk has space again: writes resumed, eviction waits one lease");
    } else {
      node.logger.Error("disk full, refusing writes", {{"error", core::MessageOf(status)}});
    }
  });
  node.pipeline->SetFailureListener([&node](const absl::Status& status) {
    // Memory may be ahead of disk: stop, and let recovery restore the truth.
    node.logger.Error("log write failed, stopping (fail-stop)",
                      {{"error", core::MessageOf(status)}});
    BeginShutdown(node, 1);
  });

  uv_signal_init(&node.loop, &node.sigterm);
  uv_signal_init(&node.loop, &node.sigint);
  node.sigterm.data = &node;
  node.sigint.data = &node;
  const auto on_signal = [](uv_signal_t* handle, int) {
    BeginShutdown(*static_cast<Node*>(handle->data), 0);
  };
  uv_signal_start(&node.sigterm, on_signal, SIGTERM);
  uv_signal_start(&node.sigint, on_signal, SIGINT);

  node.evictor->Start();
  node.snapshots->Start();
  node.replicator->Start();
  node.eureka_push->Start();
  if (catching_up_after_bootstrap) {
    node.logbook->set_ready(false, "bootstrapped from a peer's snapshot; catching up with the peers");
    uv_timer_init(&node.loop, &node.ready_timer);
    node.ready_timer.data = &node;
    uv_timer_start(
        &node.ready_timer,
        [](uv_timer_t* timer) {
          Node& self = *static_cast<Node*>(timer->data);
          if (!self.stopping && !self.replicator->CaughtUp()) return;
          uv_timer_stop(timer);
          if (self.stopping) return;
          self.logbook->set_ready(true);
          self.logger.Info("caught up with the peers after the bootstrap: ready");
        },
        20, 20);
  }
  node.loop_meter->Start();
  // On stdout, whatever the level: scripts and tests wait for this line.
  const std::string listening =
      "logbook listening on http://" + config.host + ":" + std::to_string(node.server->port());
  net::Logger::WriteLine(stdout, net::LogLevel::kInfo, listening,
                         {{"node_id", node.log->node_id()},
                          {"snapshot_offset", recovery.snapshot_offset},
                          {"recovered_events", replayed},
                          {"recovery_ms", recovery_ms},
                          {"snapshot_load_ms", recovery.snapshot_ms},
                          {"open_ms", open_ms},
                          {"open_cpu_ms", open_cpu_ms},
                          {"recovery_cpu_ms", recovery_cpu_ms},
                          {"start_cpu_ms", open_start_cpu_ms},
                          {"prefaulted_mb", prefaulted_bytes >> 20},
                          {"log_level", net::LogLevelName(logger.min_level())},
                          {"access_log", config.access_log},
                          {"auth", config.auth_enabled},
                          {"anonymous_read", config.auth_enabled && config.auth_anonymous_read}});

  uv_run(&node.loop, UV_RUN_DEFAULT);
  node.loop_meter->Stop();  // its handle frees itself in its own close callback
  node.writer_wakeups->Stop();  // the log was stopped when the server had shut down
  node.snapshots->Stop();  // stopped at shutdown already; its handles must not be walked
  // Close whatever is left (e.g. handles owned by destroyed objects' peers).
  uv_walk(
      &node.loop,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  uv_run(&node.loop, UV_RUN_DEFAULT);
  node.log->Stop();
  node.snapshotter->Stop();
  node.server.reset();
  uv_loop_close(&node.loop);
  node.logger.Info("stopped", {{"exit_code", node.exit_code}});
  return node.exit_code;
}

}  // namespace logbook::app
