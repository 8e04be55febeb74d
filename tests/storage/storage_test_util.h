#pragma once
// Helpers shared by the storage tests: a temp data dir per test, a recorder
// for durability callbacks that tests wait on (with a deadline, never a
// sleep), and sample and random events. Header-only: the test glob builds
// only *_test.cc files.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/event.h"
#include "gtest/gtest.h"
#include "storage/event_log.h"

namespace logbook::storage::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/logbook-storage-test-XXXXXX";
    const char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the dir (not created).
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Records every DurabilityCallback call; the callback runs on the writer thread.
class DurabilityRecorder {
 public:
  DurabilityCallback Callback() {
    return [this](core::Offset durable, absl::Status status) {
      absl::MutexLock lock(&mu_);
      calls_.emplace_back(durable, status);
      if (status.ok()) {
        durable_ = durable;
      } else {
        failed_ = true;
      }
    };
  }

  // True once a callback reported `offset` (or more) durable, within `timeout`.
  bool WaitForDurable(core::Offset offset, absl::Duration timeout = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, offset]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return durable_ >= offset || failed_; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout) && durable_ >= offset;
  }

  // True once a callback reported an error, within `timeout`.
  bool WaitForError(absl::Duration timeout = absl::Seconds(30)) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&failed_), timeout);
  }

  std::vector<std::pair<core::Offset, absl::Status>> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::pair<core::Offset, absl::Status>> calls_ ABSL_GUARDED_BY(mu_);
  core::Offset durable_ ABSL_GUARDED_BY(mu_) = core::kNoOffset;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

// A REGISTER with every optional field set and non-default values throughout.
inline core::Event FullRegisterEvent() {
  core::InstanceInfo info;
  info.instance_id = "i-0abc";
  info.host_name = "host-1.example.com";
  info.app = "ORDERS";
  info.app_group_name = "SHOP";
  info.ip_addr = "10.0.0.7";
  info.sid = "sid-9";
  info.status = core::InstanceStatus::kStarting;
  info.overridden_status = core::InstanceStatus::kOutOfService;
  info.port = {8080, true};
  info.secure_port = {8443, true};
  info.country_id = 44;
  info.data_center.name = "Amazon";
  info.data_center.class_name = std::string(core::kAmazonDataCenterClass);
  info.data_center.metadata = {{"instance-id", "i-0abc"}, {"availability-zone", "eu-west-1a"}};
  info.has_data_center = true;
  info.renewal_interval_secs = 10;
  info.duration_secs = -1;
  info.metadata = {{"zone", "a"}, {"", "empty key"}, {"weight", ""}};
  info.home_page_url = "http://host-1:8080/";
  info.status_page_url = "http://host-1:8080/info";
  info.health_check_url = "http://host-1:8080/health";
  info.secure_health_check_url = "";
  info.vip_address = "orders";
  info.secure_vip_address = "orders-secure";
  info.is_coordinating_discovery_server = true;
  info.last_updated_timestamp = 1700000000123;
  info.last_dirty_timestamp = 1700000000100;
  info.asg_name = "orders-asg";

  core::Event event;
  event.offset = 17;
  event.timestamp_ms = 1700000000200;
  event.origin_node = "node-a";
  event.origin_offset = 17;
  event.type = core::EventType::kRegister;
  event.source = core::EventSource::kEurekaPeer;
  event.app = "ORDERS";
  event.instance_id = "i-0abc";
  event.instance = std::move(info);
  return event;
}

inline core::Event RenewEvent(const std::string& app, const std::string& instance_id,
                              core::TimestampMs timestamp_ms) {
  core::Event event;
  event.timestamp_ms = timestamp_ms;
  event.type = core::EventType::kRenew;
  event.app = app;
  event.instance_id = instance_id;
  return event;
}

// An event of `type` with random values in every field, as the codec must
// carry them: arbitrary bytes in strings, extreme integers, optional fields
// present or not. Fields the type does not use are randomized too, since the
// codec must not depend on the type to round-trip.
inline core::Event RandomEvent(core::EventType type, std::mt19937_64& rng) {
  auto coin = [&rng]() { return (rng() & 1) == 1; };
  auto i64 = [&rng, &coin]() -> std::int64_t {
    switch (rng() % 4) {
      case 0:
        return 0;
      case 1:
        return static_cast<std::int64_t>(rng() % 200) - 100;
      case 2:
        return coin() ? std::numeric_limits<std::int64_t>::min()
                      : std::numeric_limits<std::int64_t>::max();
      default:
        return static_cast<std::int64_t>(rng());
    }
  };
  auto i32 = [&rng, &coin]() -> std::int32_t {
    if (coin()) return static_cast<std::int32_t>(rng() % 200) - 100;
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(rng()));
  };
  auto u32 = [&rng]() { return static_cast<std::uint32_t>(rng() >> (rng() % 33)); };
  auto text = [&rng]() {
    std::string value(rng() % 24, '\0');
    for (char& c : value) c = static_cast<char>(rng() & 0xFF);
    return value;
  };
  auto maybe_text = [&]() -> std::optional<std::string> {
    if (coin()) return std::nullopt;
    return text();
  };
  auto map = [&]() {
    std::map<std::string, std::string> values;
    const std::size_t count = rng() % 5;
    for (std::size_t i = 0; i < count; ++i) values[text()] = text();
    return values;
  };
  auto status = [&rng]() { return static_cast<core::InstanceStatus>(rng() % 5); };

  core::Event event;
  event.offset = 1 + rng() % 1000;
  event.timestamp_ms = i64();
  event.origin_node = text();
  event.origin_offset = rng();
  event.type = type;
  event.source = static_cast<core::EventSource>(rng() % 5);
  event.app = text();
  event.instance_id = text();
  if (type == core::EventType::kRegister || coin()) {
    core::InstanceInfo info;
    info.instance_id = maybe_text();
    info.host_name = text();
    info.app = text();
    info.app_group_name = maybe_text();
    info.ip_addr = text();
    info.sid = text();
    info.status = status();
    info.overridden_status = status();
    info.port = {i32(), coin()};
    info.secure_port = {i32(), coin()};
    info.country_id = i32();
    info.data_center.name = text();
    info.data_center.class_name = text();
    info.data_center.metadata = map();
    info.has_data_center = coin();
    info.renewal_interval_secs = i32();
    info.duration_secs = i32();
    info.metadata = map();
    info.home_page_url = maybe_text();
    info.status_page_url = maybe_text();
    info.health_check_url = maybe_text();
    info.secure_health_check_url = maybe_text();
    info.vip_address = maybe_text();
    info.secure_vip_address = maybe_text();
    info.is_coordinating_discovery_server = coin();
    info.last_updated_timestamp = i64();
    info.last_dirty_timestamp = i64();
    info.asg_name = maybe_text();
    event.instance = std::move(info);
  }
  if (coin()) event.renew_status = status();
  if (coin()) event.override_to_store = status();
  event.counts_as_renewal = coin();
  event.status = status();
  event.last_dirty_timestamp = coin() ? 0 : i64();
  if (coin()) event.metadata = map();
  if (coin()) {
    event.evict_reason = {i64(), i64(), i64(), coin(), u32(), u32(), u32()};
  }
  event.expected_clients = coin() ? 0 : i64();
  return event;
}

// A log opened with sync=none and a recorder of its durability reports
// (the recorder must outlive the log: it is declared first).
struct OpenLog {
  DurabilityRecorder recorder;
  std::unique_ptr<EventLog> log;
};

// Opens (creating if needed) the log in `dir`; null, with a test failure, if
// it cannot.
inline std::unique_ptr<OpenLog> OpenLogIn(const std::string& dir) {
  auto open = std::make_unique<OpenLog>();
  EventLogOptions options;
  options.data_dir = dir;
  options.sync = SyncPolicy::kNone;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options, open->recorder.Callback());
  EXPECT_TRUE(log.ok()) << log.status();
  if (!log.ok()) return nullptr;
  open->log = *std::move(log);
  return open;
}

}  // namespace logbook::storage::testing
