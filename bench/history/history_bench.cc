// Latency of GET /logbook/v1/history's storage query (AuditIndex::History)
// on a large log. Builds the log with direct EventLog appends (sync=none,
// batches of 10,000), then times instance and app queries.
//
//   history_bench [--dir D] [--events N] [--instances K] [--queries Q] [--keep]
//   history_bench --plateau [--dir D] [--instances K] [--hours H]
//
// --plateau: disk use under a steady renew load on a compressed clock: K
// instances renewing every 30 s (simulated time stamped on the events),
// renew retention 15 min, retention run every simulated minute with no
// floor; prints the data dir size every simulated 10 minutes.
//
// The log: K REGISTERs, then RENEWs round-robin over the instances, with one
// STATUS_UPDATE (alternating OUT_OF_SERVICE/UP) for every `--change-every`
// events: the mix of a steady heartbeat load with occasional state changes.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "core/status.h"
#include "storage/event_log.h"

namespace {

using logbook::core::Event;
using logbook::core::EventType;
using logbook::core::Offset;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  const std::size_t index =
      std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

}  // namespace

std::uint64_t DirBytes(const std::string& dir) {
  std::uint64_t bytes = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) bytes += entry.file_size(error);
  }
  return bytes;
}

int Plateau(const std::string& dir, int instances, double hours) {
  std::atomic<Offset> durable{0};
  logbook::storage::EventLogOptions options;
  options.data_dir = dir;
  options.sync = logbook::storage::SyncPolicy::kNone;
  options.retention.renew_retention_ms = 15 * 60 * 1000;
  auto opened = logbook::storage::EventLog::Open(
      options, [&durable](Offset offset, absl::Status) { durable.store(offset); });
  if (!opened.ok()) return 1;
  auto& log = **opened;
  log.Start();
  log.SetRetentionFloor(~Offset{0});  // as if a snapshot covered everything
  const std::int64_t start_ms = 1'700'000'000'000;
  const std::int64_t end_ms = start_ms + static_cast<std::int64_t>(hours * 3600 * 1000);
  const auto wall = Clock::now();
  std::printf("simulated_min  events  first_offset  dir_MiB\n");
  std::int64_t now_ms = start_ms;
  for (std::int64_t second = 0; now_ms < end_ms; ++second, now_ms += 1000) {
    // Each second, the instances whose 30 s renewal slot it is.
    std::vector<Event> batch;
    for (int i = static_cast<int>(second % 30); i < instances; i += 30) {
      Event event;
      event.timestamp_ms = now_ms;
      event.type = second < 30 ? EventType::kRegister : EventType::kRenew;
      event.app = "APP-" + std::to_string(i % 50);
      event.instance_id = "i-" + std::to_string(i);
      if (event.type == EventType::kRegister) {
        logbook::core::InstanceInfo info;
        info.instance_id = event.instance_id;
        info.app = event.app;
        info.host_name = event.instance_id + ".example.com";
        event.instance = info;
      }
      batch.push_back(std::move(event));
    }
    if (!log.Append(batch).ok()) return 1;
    if (second % 60 == 59) {
      while (durable.load() < log.last_offset()) usleep(500);
      if (!log.RunRetention(now_ms).ok()) return 1;
    }
    if (second % 600 == 599) {
      std::printf("%13lld  %6llu  %12llu  %7.1f\n", static_cast<long long>((second + 1) / 60),
                  static_cast<unsigned long long>(log.last_offset()),
                  static_cast<unsigned long long>(log.first_offset()),
                  static_cast<double>(DirBytes(dir)) / (1 << 20));
      std::fflush(stdout);
    }
  }
  std::printf("%.1f simulated hours in %.1f s wall\n", hours, Ms(Clock::now() - wall) / 1000);
  log.Stop();
  return 0;
}

int main(int argc, char** argv) {
  std::string dir = "/tmp/logbook-history-bench";
  std::uint64_t total = 5'000'000;
  int instances = 10'000;
  int queries = 1000;
  std::uint64_t change_every = 50;
  bool keep = false;
  bool plateau = false;
  double hours = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--dir") dir = next();
    else if (arg == "--events") total = std::strtoull(next(), nullptr, 10);
    else if (arg == "--instances") instances = std::atoi(next());
    else if (arg == "--queries") queries = std::atoi(next());
    else if (arg == "--change-every") change_every = std::strtoull(next(), nullptr, 10);
    else if (arg == "--keep") keep = true;
    else if (arg == "--plateau") plateau = true;
    else if (arg == "--hours") hours = std::atof(next());
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }

  if (plateau) {
    const int rc = Plateau(dir, instances, hours);
    if (!keep) std::filesystem::remove_all(dir);
    return rc;
  }
  std::atomic<Offset> durable{0};
  logbook::storage::EventLogOptions options;
  options.data_dir = dir;
  options.sync = logbook::storage::SyncPolicy::kNone;
  bool existing = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT");
  auto opened = logbook::storage::EventLog::Open(
      options, [&durable](Offset offset, absl::Status) { durable.store(offset); });
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(logbook::core::MessageOf(opened.status())).c_str());
    return 1;
  }
  auto& log = **opened;
  log.Start();
  auto id = [](int n) { return "i-" + std::to_string(n); };

  if (!existing || log.last_offset() < total) {
    const auto build_start = Clock::now();
    std::int64_t now_ms = 1'700'000'000'000;
    std::uint64_t written = log.last_offset();
    std::uint64_t next_instance = written % static_cast<std::uint64_t>(instances);
    std::vector<int> out_of_service(static_cast<std::size_t>(instances), 0);
    std::mt19937_64 rng(42);
    while (written < total) {
      std::vector<Event> batch;
      const std::uint64_t n = std::min<std::uint64_t>(10'000, total - written);
      batch.reserve(n);
      for (std::uint64_t k = 0; k < n; ++k, ++written) {
        Event event;
        event.timestamp_ms = now_ms + static_cast<std::int64_t>(written / 100);  // 100 events/ms
        event.app = "APP-" + std::to_string(next_instance % 50);
        event.instance_id = id(static_cast<int>(next_instance));
        if (written < static_cast<std::uint64_t>(instances)) {
          event.type = EventType::kRegister;
          logbook::core::InstanceInfo info;
          info.instance_id = event.instance_id;
          info.app = event.app;
          info.host_name = event.instance_id + ".example.com";
          info.ip_addr = "10.0.0.1";
          info.status = logbook::core::InstanceStatus::kUp;
          event.instance = info;
          next_instance = (next_instance + 1) % static_cast<std::uint64_t>(instances);
        } else if (written % change_every == 0) {
          const int victim = static_cast<int>(rng() % static_cast<std::uint64_t>(instances));
          event.app = "APP-" + std::to_string(victim % 50);
          event.instance_id = id(victim);
          event.type = EventType::kStatusUpdate;
          int& oos = out_of_service[static_cast<std::size_t>(victim)];
          oos = 1 - oos;
          event.status = oos ? logbook::core::InstanceStatus::kOutOfService
                             : logbook::core::InstanceStatus::kUp;
        } else {
          event.type = EventType::kRenew;
          next_instance = (next_instance + 1) % static_cast<std::uint64_t>(instances);
        }
        batch.push_back(std::move(event));
      }
      auto appended = log.Append(batch);
      if (!appended.ok()) {
        std::fprintf(stderr, "append: %s\n",
                     std::string(logbook::core::MessageOf(appended.status())).c_str());
        return 1;
      }
      // Bounded queue: wait until the writer is within 100,000 events.
      while (log.last_offset() - durable.load() > 100'000) usleep(1000);
    }
    while (durable.load() < log.last_offset()) usleep(1000);
    std::printf("built %llu events in %.1f s\n", static_cast<unsigned long long>(log.last_offset()),
                Ms(Clock::now() - build_start) / 1000);
  } else {
    std::printf("reusing %llu events in %s\n", static_cast<unsigned long long>(log.last_offset()),
                dir.c_str());
  }

  std::mt19937_64 rng(7);
  std::vector<double> instance_ms, app_ms, window_ms;
  std::size_t entries = 0;
  for (int q = 0; q < queries; ++q) {
    const int n = static_cast<int>(rng() % static_cast<std::uint64_t>(instances));
    logbook::core::AuditQuery query;
    query.app = "APP-" + std::to_string(n % 50);
    query.instance_id = id(n);
    query.limit = 100;
    auto start = Clock::now();
    auto page = log.audit().History(query);
    instance_ms.push_back(Ms(Clock::now() - start));
    if (!page.ok()) {
      std::fprintf(stderr, "history: %s\n", std::string(logbook::core::MessageOf(page.status())).c_str());
      return 1;
    }
    entries += page->entries.size();

    logbook::core::AuditQuery app_query;
    app_query.app = query.app;
    app_query.limit = 100;
    app_query.from = 1 + rng() % log.last_offset();
    start = Clock::now();
    page = log.audit().History(app_query);
    app_ms.push_back(Ms(Clock::now() - start));

    logbook::core::AuditQuery window = query;
    window.since_ms = 1'700'000'000'000 + static_cast<std::int64_t>(rng() % (total / 100));
    window.until_ms = *window.since_ms + 5'000;
    start = Clock::now();
    page = log.audit().History(window);
    window_ms.push_back(Ms(Clock::now() - start));
  }
  std::printf("log: %llu events, %d instances, a STATUS_UPDATE every %llu events\n",
              static_cast<unsigned long long>(log.last_offset()), instances,
              static_cast<unsigned long long>(change_every));
  std::printf("instance history (limit 100, avg %.1f entries): p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              static_cast<double>(entries) / queries, Percentile(instance_ms, 0.5),
              Percentile(instance_ms, 0.99), Percentile(instance_ms, 1.0));
  std::printf("app history page (limit 100, random from): p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              Percentile(app_ms, 0.5), Percentile(app_ms, 0.99), Percentile(app_ms, 1.0));
  std::printf("instance history since/until (5 s window): p50 %.3f ms  p99 %.3f ms  max %.3f ms\n",
              Percentile(window_ms, 0.5), Percentile(window_ms, 0.99), Percentile(window_ms, 1.0));
  log.Stop();
  if (!keep) {
    opened->reset();
    std::filesystem::remove_all(dir);
  }
  return 0;
}
