#include "app/serve.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include <uv.h>

#include "app/system_clock.h"
#include "core/registry.h"
#include "core/status.h"
#include "net/evictor.h"
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_server.h"
#include "net/loop_mailbox.h"
#include "net/node_routes.h"
#include "net/replication/replicator.h"
#include "net/write_pipeline.h"
#include "storage/event_log.h"
#include "storage/recovery.h"
#include "storage/snapshot_store.h"
#include "storage/snapshotter.h"
#include "storage/storage_event_codec.h"

namespace logbook::app {
namespace {

void LogLine(const char* level, const std::string& message) {
  std::fprintf(stderr, "level=%s msg=\"%s\"\n", level, message.c_str());
}

core::SelfPreservationOptions SelfPreservationFrom(const Config& config) {
  core::SelfPreservationOptions options;
  options.enabled = config.enable_self_preservation;
  options.renewal_percent_threshold = config.renewal_percent_threshold;
  options.expected_client_renewal_interval_seconds =
      config.expected_client_renewal_interval_seconds;
  return options;
}

net::HttpLimits LimitsFrom(const Config& config) {
  net::HttpLimits limits;
  limits.max_header_bytes = static_cast<std::size_t>(config.http_max_header_bytes);
  limits.max_body_bytes = static_cast<std::size_t>(config.http_max_body_bytes);
  limits.header_timeout_ms = config.http_header_timeout_ms;
  limits.idle_timeout_ms = config.http_idle_timeout_ms;
  limits.max_connections = static_cast<std::size_t>(config.http_max_connections);
  return limits;
}

// Everything the running node owns, destroyed in reverse order of creation.
struct Node {
  uv_loop_t loop;
  std::unique_ptr<net::LoopMailbox> mailbox;
  std::unique_ptr<storage::EventLog> log;
  // After the log: destroyed (and joined) before it.
  std::unique_ptr<storage::Snapshotter> snapshotter;
  std::unique_ptr<core::Registry> registry;
  std::unique_ptr<net::WritePipeline> pipeline;
  std::unique_ptr<net::EurekaApi> eureka;
  std::unique_ptr<net::LogbookApi> logbook;
  std::unique_ptr<net::Evictor> evictor;
  storage::StorageEventCodec codec;
  std::unique_ptr<net::replication::Replicator> replicator;
  std::unique_ptr<net::HttpServer> server;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  bool stopping = false;
  int exit_code = 0;
};

void BeginShutdown(Node& node, int exit_code) {
  if (node.stopping) return;
  node.stopping = true;
  node.exit_code = exit_code;
  LogLine("info", "stopping: finishing in-flight requests and flushing the log");
  uv_signal_stop(&node.sigterm);
  uv_signal_stop(&node.sigint);
  uv_close(reinterpret_cast<uv_handle_t*>(&node.sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&node.sigint), nullptr);
  // Pullers first: no batch may reach a log that is closing.
  if (node.replicator) node.replicator->Stop();
  node.evictor->Stop();
  node.logbook->set_ready(false);
  node.logbook->ReleaseWaiters();
  node.server->Shutdown([&node] {
    // Every request has been answered; what the writer still holds is flushed.
    node.log->Stop();
    // Everything acknowledged is durable now; a final snapshot of it makes
    // the next start replay (almost) nothing.
    node.snapshotter->Stop(/*final_snapshot=*/true);
    node.mailbox->Close();
  });
}

// Startup failed before the loop ran: stop what was started and let the loop
// close the handles already opened on it, so the process exits cleanly.
int AbandonStart(Node& node) {
  if (node.replicator) node.replicator->Stop();
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

int RunServe(const Config& config) {
  // A client that disappears mid-response must not kill the node.
  std::signal(SIGPIPE, SIG_IGN);
  SystemClock clock;
  Node node;
  uv_loop_init(&node.loop);
  node.mailbox = std::make_unique<net::LoopMailbox>(&node.loop);

  storage::EventLogOptions log_options;
  log_options.data_dir = config.data_dir;
  log_options.sync = config.sync_always ? storage::SyncPolicy::kAlways : storage::SyncPolicy::kNone;
  log_options.node_id = config.node_id;
  log_options.retention = {.renew_retention_ms = config.renew_retention_ms,
                           .audit_retention_ms = config.audit_retention_ms,
                           .interval_ms = config.retention_interval_ms};
  net::WritePipeline* pipeline = nullptr;  // set before the writer starts
  net::LogbookApi* logbook_api = nullptr;
  net::LoopMailbox* mailbox = node.mailbox.get();
  absl::StatusOr<std::unique_ptr<storage::EventLog>> opened = storage::EventLog::Open(
      log_options, [mailbox, &pipeline, &logbook_api](core::Offset durable, absl::Status status) {
        mailbox->Post([durable, status = std::move(status), &pipeline, &logbook_api]() mutable {
          pipeline->OnDurable(durable, std::move(status));
          logbook_api->OnDurableAdvanced();
        });
      });
  if (!opened.ok()) {
    std::fprintf(stderr, "logbook: cannot open the data dir: %s\n",
                 std::string(core::MessageOf(opened.status())).c_str());
    return AbandonStart(node);
  }
  node.log = std::move(*opened);

  core::RegistryOptions registry_options;
  registry_options.initial_expected_clients = config.expected_number_of_clients_sending_renews;
  registry_options.delta_retention_ms = config.retention_time_in_ms_in_delta_queue;
  absl::StatusOr<storage::Recovered> recovered = storage::Recover(
      *node.log, registry_options, [](const storage::SkippedSnapshot& skipped) {
        LogLine("warn", "recovery: skipping the snapshot at offset " +
                            std::to_string(skipped.offset) + ": " + skipped.reason);
      });
  if (!recovered.ok()) {
    // Never serve a partial registry (ARCHITECTURE.md §3).
    std::fprintf(stderr, "logbook: the log in %s is damaged, refusing to start: %s\n",
                 config.data_dir.c_str(), std::string(core::MessageOf(recovered.status())).c_str());
    return AbandonStart(node);
  }
  node.registry = std::move(recovered->registry);
  const storage::RecoveryInfo& recovery = recovered->info;
  const std::uint64_t replayed = recovery.replayed_events;
  const std::int64_t recovery_ms = recovery.ms;

  node.pipeline = std::make_unique<net::WritePipeline>(*node.registry, *node.log,
                                                       node.log->durable_offset());
  pipeline = node.pipeline.get();

  const core::SelfPreservationOptions self_preservation = SelfPreservationFrom(config);
  net::EurekaApiOptions eureka_options;
  eureka_options.self_preservation = self_preservation;
  eureka_options.disable_delta = config.disable_delta;
  eureka_options.sync_when_timestamp_differs = config.sync_when_timestamp_differs;
  eureka_options.max_body_bytes = static_cast<std::size_t>(config.http_max_body_bytes);
  eureka_options.peer_urls = config.peers;
  eureka_options.node_id = node.log->node_id();
  node.eureka = std::make_unique<net::EurekaApi>(*node.registry, *node.pipeline, clock,
                                                 std::move(eureka_options));

  net::replication::ReplicatorOptions replicator_options;
  replicator_options.peer_urls = config.peers;
  absl::StatusOr<std::unique_ptr<net::replication::Replicator>> replicator =
      net::replication::Replicator::Create(replicator_options, node.log->node_id(),
                                           node.log->initial_peer_cursors(), *node.mailbox,
                                           *node.pipeline, node.codec, std::random_device{}());
  if (!replicator.ok()) {
    std::fprintf(stderr, "logbook: %s\n", std::string(core::MessageOf(replicator.status())).c_str());
    return AbandonStart(node);
  }
  node.replicator = std::move(*replicator);
  net::replication::Replicator* replication = node.replicator.get();

  net::LogbookApiOptions logbook_options;
  logbook_options.codec = &node.codec;
  if (!config.peers.empty()) {
    logbook_options.peer_status = [replication] { return replication->Statuses(); };
  }
  logbook_options.node_id = node.log->node_id();
  logbook_options.log_identity = node.log->log_identity();
  logbook_options.peer_urls = config.peers;
  logbook_options.recovery = {recovery.snapshot_offset, replayed, recovery_ms};
  logbook_options.self_preservation = self_preservation;
  logbook_options.max_wait_ms = config.events_max_wait_ms;
  logbook_options.audit = &node.log->audit();
  node.logbook = std::make_unique<net::LogbookApi>(&node.loop, *node.registry, *node.pipeline,
                                                   *node.log, clock, std::move(logbook_options));
  logbook_api = node.logbook.get();

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

  storage::SnapshotterOptions snapshotter_options;
  snapshotter_options.registry = registry_options;
  snapshotter_options.every_events = static_cast<std::uint64_t>(config.snapshot_every_events);
  snapshotter_options.every_ms = config.snapshot_every_ms;
  const bool floor_follows_snapshots = !config.test_only_retention_without_snapshot;
  node.snapshotter = std::make_unique<storage::Snapshotter>(
      *node.log, snapshotter_options,
      [raise_retention_floor, floor_follows_snapshots](const storage::SnapshotterStats& stats) {
        if (!stats.last_error.ok()) {
          LogLine("warn", "snapshot failed: " + std::string(core::MessageOf(stats.last_error)));
          return;
        }
        if (floor_follows_snapshots) raise_retention_floor();
      });
  node.snapshotter->Start();

  net::EvictorOptions evictor_options;
  evictor_options.eviction_interval_ms = config.eviction_interval_timer_in_ms;
  evictor_options.renewal_threshold_update_interval_ms =
      config.renewal_threshold_update_interval_ms;
  evictor_options.restart_grace_ms = config.restart_grace_ms;
  evictor_options.grace_start_ms = clock.NowMs();
  evictor_options.self_preservation = self_preservation;
  if (!config.peers.empty()) {
    evictor_options.peers_caught_up = [replication] { return replication->CaughtUp(); };
  }
  node.evictor = std::make_unique<net::Evictor>(&node.loop, *node.registry, *node.pipeline,
                                                clock, evictor_options, std::random_device{}());

  node.server = std::make_unique<net::HttpServer>(
      &node.loop, LimitsFrom(config), net::MakeNodeHandler(*node.eureka, *node.logbook));
  if (absl::Status listening = node.server->Listen(config.host, config.port); !listening.ok()) {
    std::fprintf(stderr, "logbook: cannot listen on %s:%d: %s\n", config.host.c_str(),
                 config.port, std::string(core::MessageOf(listening)).c_str());
    return AbandonStart(node);
  }

  node.pipeline->SetFailureListener([&node](const absl::Status& status) {
    // Memory may be ahead of disk: stop, and let recovery restore the truth.
    LogLine("error", "log write failed, stopping (fail-stop): " + std::string(core::MessageOf(status)));
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
  node.replicator->Start();
  std::printf(
      "logbook listening on http://%s:%d node_id=%s snapshot_offset=%llu recovered_events=%llu "
      "recovery_ms=%lld\n",
              config.host.c_str(), node.server->port(), node.log->node_id().c_str(),
              static_cast<unsigned long long>(recovery.snapshot_offset),
              static_cast<unsigned long long>(replayed), static_cast<long long>(recovery_ms));
  std::fflush(stdout);

  uv_run(&node.loop, UV_RUN_DEFAULT);
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
  LogLine("info", "stopped");
  return node.exit_code;
}

}  // namespace logbook::app
