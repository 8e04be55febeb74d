// make_datadir: builds a Logbook data dir offline, as a node would have
// written it, for the restart and snapshot benchmarks: N registrations
// (the same apps, ids and fields as seed_instances, so bench/load/renew.lua
// renews them) followed by renewals, round-robin, until the log holds E
// events, with the snapshots a node with logbook.snapshot.every-events = S
// would have taken. Events are decided and applied with core's own Decide*
// and Registry, appended through storage's EventLog (sync none, one fsync at
// the end), so the bytes are exactly a node's; it is only faster than
// writing through HTTP (no request parsing, no per-request sync).
//
//   make_datadir --data-dir DIR [--instances 100000] [--apps 1000] [--events 1000000]
//                [--snapshot-every-events 100000] [--unsnapshotted-tail 0]
//                [--app-prefix BENCH] [--id-prefix i] [--exit-without-close 0]
//
// --unsnapshotted-tail T: the last T events come after the last snapshot
// (what a SIGKILL leaves: a replay of T events on the next start); that last
// snapshot is at offset E - T even when it is not a multiple of S.
// Timestamps end at the wall clock's now, renewals 30 s apart per instance,
// so the leases are fresh for a node started right after.
// --exit-without-close 1: ends with _Exit once every event is durable, as a
// kill -9 would: RocksDB's memtables are not flushed, so the events written
// since their last flush are only in the WAL, and the next open recovers them
// from it. Without it the tool closes the log cleanly (memtables flushed).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_instances.h"
#include "core/decide.h"
#include "core/registry.h"
#include "core/status.h"
#include "storage/event_log.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_store.h"

namespace {

using logbook::core::Event;
using logbook::core::TimestampMs;

struct Options {
  std::string data_dir;
  long instances = 100000;
  long apps = 1000;
  long events = 1000000;
  long snapshot_every_events = 100000;
  long unsnapshotted_tail = 0;
  bool exit_without_close = false;
  std::string app_prefix = "BENCH";
  std::string id_prefix = "i";
};

[[noreturn]] void Usage(const char* message) {
  std::fprintf(stderr,
               "make_datadir: %s\n"
               "usage: make_datadir --data-dir DIR [--instances N] [--apps A] [--events E]\n"
               "                    [--snapshot-every-events S] [--unsnapshotted-tail T]\n"
               "                    [--app-prefix S] [--id-prefix S] [--exit-without-close 0|1]\n",
               message);
  std::exit(2);
}

long ParseLong(const char* flag, const char* text, long min) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min) {
    std::fprintf(stderr, "make_datadir: %s wants an integer >= %ld, got '%s'\n", flag, min, text);
    std::exit(2);
  }
  return value;
}

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) Usage("every flag takes a value");
    const char* value = argv[++i];
    if (flag == "--data-dir") {
      options.data_dir = value;
    } else if (flag == "--instances") {
      options.instances = ParseLong(argv[i - 1], value, 1);
    } else if (flag == "--apps") {
      options.apps = ParseLong(argv[i - 1], value, 1);
    } else if (flag == "--events") {
      options.events = ParseLong(argv[i - 1], value, 1);
    } else if (flag == "--snapshot-every-events") {
      options.snapshot_every_events = ParseLong(argv[i - 1], value, 1);
    } else if (flag == "--unsnapshotted-tail") {
      options.unsnapshotted_tail = ParseLong(argv[i - 1], value, 0);
    } else if (flag == "--exit-without-close") {
      options.exit_without_close = ParseLong(argv[i - 1], value, 0) != 0;
    } else if (flag == "--app-prefix") {
      options.app_prefix = value;
    } else if (flag == "--id-prefix") {
      options.id_prefix = value;
    } else {
      Usage("unknown flag");
    }
  }
  if (options.data_dir.empty()) Usage("--data-dir is required");
  if (options.events < options.instances) Usage("--events must be >= --instances");
  if (options.unsnapshotted_tail >= options.events) Usage("--unsnapshotted-tail must be < --events");
  return options;
}

std::string AppName(const Options& options, long k) {
  return logbook::bench::BenchAppName(options.app_prefix, options.apps, k);
}

std::string InstanceId(const Options& options, long k) {
  return logbook::bench::BenchInstanceId(options.id_prefix, k);
}

// The fields of bench_instances.h's registration body, as the JSON reader would
// have parsed them (make_datadir links no net/ reader).
logbook::core::InstanceInfo Instance(const Options& options, long k, TimestampMs now) {
  logbook::core::InstanceInfo info;
  const std::string app = AppName(options, k);
  const std::string id = InstanceId(options, k);
  const std::string ip = logbook::bench::BenchIpAddress(k);
  const std::string base = "http://" + ip + ":8080/";
  info.instance_id = id;
  info.host_name = id + ".bench.local";
  info.app = app;
  info.ip_addr = ip;
  info.port = {8080, true};
  info.secure_port = {8443, false};
  info.vip_address = app;
  info.secure_vip_address = app;
  info.home_page_url = base;
  info.status_page_url = base + "actuator/info";
  info.health_check_url = base + "actuator/health";
  info.metadata = {{"zone", "bench"}};
  info.last_updated_timestamp = now;
  info.last_dirty_timestamp = now;
  return info;
}

void Check(const absl::Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "make_datadir: %s: %s\n", what,
               std::string(logbook::core::MessageOf(status)).c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  const auto started = std::chrono::steady_clock::now();
  logbook::storage::EventLogOptions log_options;
  log_options.data_dir = options.data_dir;
  log_options.sync = logbook::storage::SyncPolicy::kNone;
  auto opened =
      logbook::storage::EventLog::Open(log_options, [](logbook::core::Offset, absl::Status) {});
  Check(opened.status(), "open");
  logbook::storage::EventLog& log = **opened;
  if (log.last_offset() != 0) {
    std::fprintf(stderr, "make_datadir: %s already holds a log; give an empty or new dir\n",
                 options.data_dir.c_str());
    return 1;
  }
  log.Start();

  // One renewal round (every instance once) per 30 s of simulated time,
  // ending now.
  const long renewals = options.events - options.instances;
  const long rounds = (renewals + options.instances - 1) / options.instances;
  const TimestampMs end_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  const TimestampMs start_ms = end_ms - (rounds + 1) * 30000;
  const double step_ms = 30000.0 / static_cast<double>(options.instances);

  logbook::core::Registry registry;
  std::vector<Event> batch;
  constexpr std::size_t kBatch = 4096;
  // The snapshots a node would have taken by offset `snapshot_until` (one
  // every snapshot_every_events, the newest few kept), encoded from this
  // tool's registry as the node cuts its own. The events after it are left
  // unsnapshotted (what a SIGKILL leaves behind).
  const long snapshot_until = options.events - options.unsnapshotted_tail;
  logbook::storage::SnapshotStore store(log.db());
  std::uint64_t snapshots = 0;
  std::uint64_t snapshot_bytes = 0;
  std::int64_t snapshot_ms = 0;
  const auto snapshot = [&] {
    const auto begin = std::chrono::steady_clock::now();
    const std::string encoded = logbook::storage::EncodeSnapshot(registry);
    Check(store.Write(registry.last_applied_offset(), encoded), "snapshot");
    ++snapshots;
    snapshot_bytes = encoded.size();
    snapshot_ms += std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - begin)
                       .count();
  };
  const auto flush = [&] {
    auto appended = log.Append(batch);
    Check(appended.status(), "append");
    for (const Event& event : batch) {
      registry.Apply(event);
      if (event.offset <= static_cast<logbook::core::Offset>(snapshot_until) &&
          event.offset % static_cast<logbook::core::Offset>(options.snapshot_every_events) == 0) {
        snapshot();
      }
    }
    batch.clear();
  };
  const auto take_snapshots = [&] {
    if (!batch.empty()) flush();
    // The last snapshot exactly at snapshot_until, so that the replay after
    // it is exactly the tail asked for.
    if (registry.last_applied_offset() % static_cast<logbook::core::Offset>(
                                             options.snapshot_every_events) != 0) {
      snapshot();
    }
  };
  for (long n = 0; n < options.events; ++n) {
    if (n == snapshot_until && options.unsnapshotted_tail > 0) take_snapshots();
    const long round = n / options.instances;
    const long k = n % options.instances;
    const TimestampMs now = start_ms + round * 30000 + static_cast<TimestampMs>(k * step_ms);
    logbook::core::DecideContext context;
    context.now_ms = now;
    logbook::core::Decision decision;
    if (round == 0) {
      logbook::core::RegisterCommand command;
      command.instance = Instance(options, k, now);
      decision = logbook::core::DecideRegister(registry, command, context);
    } else {
      logbook::core::RenewCommand renew;
      renew.app = AppName(options, k);
      renew.instance_id = InstanceId(options, k);
      decision = logbook::core::DecideRenew(registry, renew, context);
    }
    if (decision.outcome != logbook::core::Outcome::kOk || decision.events.size() != 1) {
      std::fprintf(stderr, "make_datadir: event %ld was not decided as one event: %s\n", n,
                   decision.reason.c_str());
      return 1;
    }
    batch.push_back(std::move(decision.events.front()));
    // Registrations must be applied before their renewals are decided.
    if (batch.size() == kBatch || n + 1 == options.instances || n + 1 == options.events) flush();
  }
  if (options.unsnapshotted_tail == 0) take_snapshots();
  log.Stop();
  const auto done = std::chrono::steady_clock::now();
  std::printf(
      "make_datadir dir=%s instances=%ld events=%ld snapshots=%llu last_snapshot_bytes=%llu "
      "total_ms=%lld snapshot_ms=%lld\n",
      options.data_dir.c_str(), options.instances, options.events,
      static_cast<unsigned long long>(snapshots), static_cast<unsigned long long>(snapshot_bytes),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(done - started).count()),
      static_cast<long long>(snapshot_ms));
  if (options.exit_without_close) {
    std::fflush(stdout);
    std::_Exit(0);
  }
  return 0;
}
