#pragma once
// The one configuration struct of `logbook serve`, built from the config file,
// flags and --set KEY=VALUE: flags and --set both beat the file, and between
// them the later on the command line wins (app/cli.h).
// Validated once; an unknown key or a malformed value is an error naming it.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace logbook::app {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct Config {
  // --host / logbook.server.host
  std::string host = "127.0.0.1";
  // --port / logbook.server.port (0 = pick a free port, printed at startup)
  int port = 8761;
  // --data-dir / logbook.data-dir
  std::string data_dir = "./logbook-data";
  // --node-id / logbook.node-id (empty = stored or generated)
  std::string node_id;
  // --peers / logbook.peers (comma-separated base URLs)
  std::vector<std::string> peers;
  // --eureka-peers / logbook.eureka-peers: stock Eureka service URLs
  // (e.g. http://host:8761/eureka/) this node pushes its client writes to
  std::vector<std::string> eureka_peers;
  // logbook.eureka-peers.max-queue-items: per Eureka peer, items waiting to
  // be pushed (Eureka's max-elements-in-peer-replication-pool)
  std::int64_t eureka_push_max_queue_items = 10000;
  // --sync / logbook.log.sync: "always" or "none"
  bool sync_always = true;

  // eureka.server.* (Spring names, eureka-protocol.md §8.1)
  bool enable_self_preservation = true;                   // enable-self-preservation
  double renewal_percent_threshold = 0.85;                // renewal-percent-threshold
  std::int64_t eviction_interval_timer_in_ms = 60000;     // eviction-interval-timer-in-ms
  std::int64_t retention_time_in_ms_in_delta_queue = 180000;  // retention-time-in-ms-in-delta-queue
                                                          // (also retention-time-in-m-s-in-delta-queue)
  std::int32_t expected_client_renewal_interval_seconds = 30;
  std::int64_t renewal_threshold_update_interval_ms = 900000;
  bool disable_delta = false;                             // disable-delta
  bool use_read_only_response_cache = true;               // accepted and ignored (Part A)
  bool sync_when_timestamp_differs = true;                // sync-when-timestamp-differs
  // eureka.instance.registry.expected-number-of-clients-sending-renews
  std::int64_t expected_number_of_clients_sending_renews = 1;

  // logbook.evictor.restart-grace-ms: -1 = one lease duration per instance
  // (Part A); otherwise a fixed grace in ms.
  std::int64_t restart_grace_ms = -1;
  // logbook.events.max-wait-ms: upper bound for /logbook/v1/events?wait_ms=
  std::int64_t events_max_wait_ms = 30000;
  // logbook.log.renew-retention / logbook.log.audit-retention (ms;
  // storage/retention.h).
  std::int64_t renew_retention_ms = 15 * 60 * 1000;
  std::int64_t audit_retention_ms = 30LL * 24 * 3600 * 1000;
  // logbook.log.retention-interval-ms: period of the retention thread.
  std::int64_t retention_interval_ms = 60 * 1000;
  // logbook.log.test-only-retention-without-snapshot: drop events below the
  // renew horizon even though recovery (full replay) still needs them. For
  // tests of retention before snapshots exist: a restart then loses state.
  bool test_only_retention_without_snapshot = false;
  // logbook.snapshot.every-events / logbook.snapshot.every-ms (issue 4)
  std::int64_t snapshot_every_events = 100000;
  std::int64_t snapshot_every_ms = 600000;
  // logbook.replication.bootstrap: a new data dir with --peers starts from a
  // peer's snapshot (docs/replication.md, "Bootstrap").
  bool replication_bootstrap = true;
  // logbook.replication.test-only-bootstrap-delay-ms: a pause between
  // receiving a bootstrap snapshot and installing it, so that tests can kill
  // the node mid-bootstrap.
  std::int64_t test_only_bootstrap_delay_ms = 0;
  // logbook.replication.test-only-waiting-retry-ms: how long at most a
  // puller whose batch waits for other peers' events sleeps before pulling
  // again (it is woken earlier once they are applied); tests make it long to
  // show the wake-up.
  std::int64_t test_only_waiting_retry_ms = 50;
  // logbook.replication.test-only-merge-task-instances (0 = the time budget
  // alone ends a task) and logbook.replication.test-only-merge-pause-ms: at
  // most that many instances per loop task of a snapshot merge, and a pause
  // between two tasks, so that tests can kill the node mid-merge.
  std::int64_t test_only_merge_task_instances = 0;
  std::int64_t test_only_merge_pause_ms = 0;
  // logbook.snapshot.test-only-slice-items: instances a snapshot cut encodes
  // per loop turn instead of a time budget (0: the budget), so that tests see
  // cuts span many turns of traffic.
  std::int64_t test_only_snapshot_slice_items = 0;

  // logbook.http.*
  std::int64_t http_max_header_bytes = 65536;
  std::int64_t http_max_body_bytes = 1048576;
  std::int64_t http_header_timeout_ms = 10000;
  std::int64_t http_idle_timeout_ms = 90000;
  std::int64_t http_max_connections = 10000;

  // --log-level / logbook.log-level (alias logbook.log.level): debug|info|warn|error
  LogLevel log_level = LogLevel::kInfo;
  // logbook.access-log: one info line per HTTP request
  bool access_log = false;

  // logbook.auth.* (README, "Access control"): HTTP Basic authentication.
  bool auth_enabled = false;             // logbook.auth.enabled
  std::string auth_users_file;           // logbook.auth.users-file: user:roles:secret lines
  bool auth_anonymous_read = false;      // logbook.auth.anonymous-read
  // logbook.auth.peer-credentials: "user:password" sent to peers whose URL
  // has none. A secret: --help shows it masked.
  std::string auth_peer_credentials;
};

// Applies one `key = value` setting; InvalidArgument naming the key when the
// key is unknown or the value malformed. Durations accept plain ms or a unit
// suffix (ms, s, m, h, d) for the logbook.* retention/snapshot keys.
absl::Status ApplySetting(Config& config, const std::string& key, const std::string& value);

// Reads a file of `key = value` lines ('#' starts a comment, blank lines ok).
// Errors name the file, line and key.
absl::Status ApplyConfigFile(Config& config, const std::string& path);

// Cross-field validation (ports in range, percent in (0,1], positive limits...).
absl::Status Validate(const Config& config);

// Every recognized key with its current value, for `logbook serve --help`.
std::vector<std::pair<std::string, std::string>> DescribeSettings(const Config& config);

}  // namespace logbook::app
