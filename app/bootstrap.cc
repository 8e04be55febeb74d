#include "app/bootstrap.h"

#include <poll.h>

#include <atomic>
#include <cstdint>
#include <csignal>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include <uv.h>

#include "absl/strings/str_cat.h"
#include "app/access_control_config.h"
#include "app/http_limits_config.h"
#include "core/status.h"
#include "net/error_response.h"
#include "net/http_server.h"
#include "net/listening_socket.h"
#include "net/logger.h"
#include "net/loop_mailbox.h"
#include "net/replication/bootstrapper.h"
#include "net/replication/snapshot_wire.h"
#include "storage/bootstrap_install.h"
#include "storage/db.h"
#include "storage/event_log.h"
#include "storage/snapshot_codec.h"

namespace logbook::app {
namespace {

void Log(net::LogLevel level, const std::string& message,
         std::initializer_list<net::LogField> fields = {}) {
  net::Logger::WriteLine(stderr, level, "bootstrap: " + message, fields);
}

net::HttpResponse Unavailable(std::string_view error, std::string_view detail) {
  net::HttpResponse response = net::ErrorResponse(503, error, detail);
  response.SetHeader("Retry-After", "1");
  return response;
}

// What the placeholder server answers while the snapshot is on its way.
net::HttpHandler PlaceholderHandler(const net::replication::Bootstrapper& bootstrapper) {
  return [&bootstrapper](net::HttpRequest&& request, net::Responder responder) {
    if (request.path == "/healthz") {
      net::HttpResponse ok;
      ok.status = 200;
      ok.body = "{\"status\":\"ok\"}";
      ok.SetHeader("Content-Type", "application/json");
      return std::move(responder)(std::move(ok));
    }
    const std::string state = "bootstrapping from a peer's snapshot: " + bootstrapper.state();
    if (request.path == "/readyz") return std::move(responder)(Unavailable("not ready", state));
    net::HttpResponse response = Unavailable("bootstrapping", state);
    // Another new node asking us for a snapshot: we have none to give.
    response.SetHeader(std::string(net::replication::kBootstrappingHeader), "true");
    return std::move(responder)(std::move(response));
  };
}

// How long the placeholder, once it stops accepting, goes on answering the
// connections it accepted: a client that connected just before the handover
// gets its 503 rather than a connection closed under its request.
constexpr std::uint64_t kHandoverGraceMs = 250;

struct PhaseLoop {
  uv_loop_t loop;
  std::unique_ptr<net::LoopMailbox> mailbox;
  std::unique_ptr<net::HttpServer> server;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  uv_timer_t handover;
  std::uint64_t handover_deadline = 0;
  std::atomic<bool> signalled{false};
  net::replication::Bootstrapper* bootstrapper = nullptr;
  bool closing = false;

  // Loop thread: stop serving and let uv_run return.
  void Close() {
    if (closing) return;
    closing = true;
    uv_signal_stop(&sigterm);
    uv_signal_stop(&sigint);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    // From here new connections wait in the socket's backlog for the node.
    server->StopAccepting();
    handover_deadline = uv_now(&loop) + kHandoverGraceMs;
    uv_timer_start(&handover, &PhaseLoop::OnHandoverTick, 0, 10);
  }

  static void OnHandoverTick(uv_timer_t* timer) {
    auto* self = static_cast<PhaseLoop*>(timer->data);
    if (self->server->stats().connections_open > 0 &&
        uv_now(&self->loop) < self->handover_deadline) {
      return;
    }
    uv_timer_stop(timer);
    uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
    self->server->Shutdown([self] { self->mailbox->Close(); });
  }
};

}  // namespace

BootstrapPhase RunBootstrapPhase(const Config& config) {
  BootstrapPhase phase{.exit_code = -1, .port = config.port, .socket = std::nullopt};
  if (!config.replication_bootstrap || config.peers.empty()) return phase;

  storage::EventLogOptions log_options;
  log_options.data_dir = config.data_dir;
  log_options.sync = config.sync_always ? storage::SyncPolicy::kAlways : storage::SyncPolicy::kNone;
  log_options.node_id = config.node_id;
  absl::StatusOr<std::unique_ptr<storage::EventLog>> opened =
      storage::EventLog::Open(log_options, [](core::Offset, absl::Status) {});
  if (!opened.ok()) return phase;
  std::unique_ptr<storage::EventLog> log = std::move(*opened);
  absl::StatusOr<bool> fresh = storage::IsNewDataDir(log->db());
  if (!fresh.ok() || !*fresh) return phase;

  core::RegistryOptions registry_options;
  registry_options.initial_expected_clients = config.expected_number_of_clients_sending_renews;
  registry_options.delta_retention_ms = config.retention_time_in_ms_in_delta_queue;
  net::replication::BootstrapOptions bootstrap_options;
  bootstrap_options.default_authorization = PeerAuthorizationFrom(config, ProcessEnvironment());
  net::replication::Bootstrapper bootstrapper(
      config.peers, log->node_id(),
      [registry_options](std::string_view snapshot, core::Offset offset) {
        return storage::DecodeSnapshot(snapshot, offset, registry_options).status();
      },
      std::move(bootstrap_options), std::random_device{}());

  PhaseLoop phase_loop;
  uv_loop_init(&phase_loop.loop);
  phase_loop.mailbox = std::make_unique<net::LoopMailbox>(&phase_loop.loop);
  phase_loop.bootstrapper = &bootstrapper;
  phase_loop.server = std::make_unique<net::HttpServer>(&phase_loop.loop, HttpLimitsFrom(config),
                                                        PlaceholderHandler(bootstrapper));
  uv_timer_init(&phase_loop.loop, &phase_loop.handover);
  phase_loop.handover.data = &phase_loop;
  uv_signal_init(&phase_loop.loop, &phase_loop.sigterm);
  uv_signal_init(&phase_loop.loop, &phase_loop.sigint);
  phase_loop.sigterm.data = &phase_loop;
  phase_loop.sigint.data = &phase_loop;
  const auto on_signal = [](uv_signal_t* handle, int) {
    auto* self = static_cast<PhaseLoop*>(handle->data);
    self->signalled = true;
    self->bootstrapper->Stop();  // the fetch thread then finishes the phase
  };
  uv_signal_start(&phase_loop.sigterm, on_signal, SIGTERM);
  uv_signal_start(&phase_loop.sigint, on_signal, SIGINT);

  absl::StatusOr<net::ListeningSocket> socket = net::ListeningSocket::Open(config.host, config.port);
  absl::Status listening = socket.ok() ? phase_loop.server->Listen(*socket) : socket.status();
  if (!listening.ok()) {
    // RunServe will fail to listen too and say so; nothing was installed.
    phase_loop.Close();
    uv_run(&phase_loop.loop, UV_RUN_DEFAULT);
    phase_loop.server.reset();
    uv_loop_close(&phase_loop.loop);
    return phase;
  }
  phase.port = socket->port();
  // Scripts and tests learn the port from this line, as from the node's.
  net::Logger::WriteLine(stdout, net::LogLevel::kInfo,
                         "logbook listening on http://" + config.host + ":" +
                             std::to_string(phase.port),
                         {{"node_id", log->node_id()}, {"bootstrapping", true}});

  absl::Status outcome;
  std::thread fetcher([&] {
    absl::StatusOr<std::optional<net::replication::FetchedSnapshot>> fetched = bootstrapper.Run();
    if (!fetched.ok()) {
      outcome = fetched.status();
    } else if (fetched->has_value()) {
      net::replication::FetchedSnapshot& snapshot = **fetched;
      // Tests only: a window in which a kill lands between the transfer and
      // the install.
      for (std::int64_t waited = 0; waited < config.test_only_bootstrap_delay_ms &&
                                    !phase_loop.signalled.load();
           waited += 10) {
        ::poll(nullptr, 0, 10);
      }
      storage::BootstrapImage image;
      image.offset = snapshot.transfer.offset;
      image.snapshot = std::move(snapshot.transfer.snapshot);
      for (core::PeerCursor& cursor : snapshot.transfer.cursors) {
        // The peer's cursor for this node's id names an earlier life of it
        // (a wiped dir): this log does not pull from itself.
        if (cursor.peer_node_id != log->node_id()) image.cursors.push_back(std::move(cursor));
      }
      if (phase_loop.signalled.load()) {
        outcome = absl::CancelledError("stopped before the install");
      } else {
        outcome = storage::InstallBootstrap(log->db(), image);
        if (outcome.ok()) {
          Log(net::LogLevel::kInfo, "snapshot installed",
              {{"peer", snapshot.node_id},
               {"offset", image.offset},
               {"cursors", image.cursors.size()}});
        }
      }
    }
    PhaseLoop* loop = &phase_loop;
    loop->mailbox->Post([loop] { loop->Close(); });
  });
  uv_run(&phase_loop.loop, UV_RUN_DEFAULT);
  fetcher.join();
  uv_run(&phase_loop.loop, UV_RUN_DEFAULT);
  phase_loop.server.reset();
  uv_loop_close(&phase_loop.loop);

  if (phase_loop.signalled.load()) {
    Log(net::LogLevel::kInfo, "stopped by a signal before the bootstrap completed");
    phase.exit_code = 0;
  } else if (!outcome.ok()) {
    Log(net::LogLevel::kError, "bootstrap failed",
        {{"error", std::string(core::MessageOf(outcome))}});
    phase.exit_code = 1;
  } else {
    phase.socket = std::move(*socket);
  }
  return phase;
}

}  // namespace logbook::app
