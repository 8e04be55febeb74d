// A snapshot of 100,000 instances is one RocksDB value: it must write, list,
// load and decode to the same registry (docs/log-format.md keeps it whole,
// no chunking, so this is the size it has to survive).
#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "storage/db.h"
#include "storage/snapshot_codec.h"
#include "storage/snapshot_store.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

core::Event Register(core::Offset offset, int k) {
  core::Event event;
  event.offset = offset;
  event.origin_offset = offset;
  event.origin_node = "node-a";
  event.timestamp_ms = 1700000000000 + offset;
  event.type = core::EventType::kRegister;
  event.app = "APP-" + std::to_string(k % 1000);
  event.instance_id = "i-" + std::to_string(k);
  core::InstanceInfo info;
  info.instance_id = event.instance_id;
  info.app = event.app;
  info.host_name = event.instance_id + ".scale.local";
  info.ip_addr = "10.0." + std::to_string((k >> 8) & 255) + "." + std::to_string(k & 255);
  info.vip_address = event.app;
  info.home_page_url = "http://" + info.ip_addr.str() + ":8080/";
  info.health_check_url = "http://" + info.ip_addr.str() + ":8080/actuator/health";
  info.metadata = {{"zone", "z" + std::to_string(k % 3)}};
  info.last_updated_timestamp = event.timestamp_ms;
  info.last_dirty_timestamp = event.timestamp_ms;
  event.instance = std::move(info);
  return event;
}

TEST(SnapshotScale, HundredThousandInstancesRoundTripAsOneValue) {
  constexpr int kInstances = 100000;
  core::Registry registry;
  for (int k = 0; k < kInstances; ++k) registry.Apply(Register(static_cast<core::Offset>(k + 1), k));
  ASSERT_EQ(registry.instance_count(), kInstances);

  testing::TempDir temp;
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  ASSERT_TRUE(db.ok()) << db.status();
  const std::string encoded = EncodeSnapshot(registry);
  // Big enough to be the case worth testing (several MB), small enough that
  // RocksDB handles it as a plain value (its hard limit is 4 GiB).
  EXPECT_GT(encoded.size(), 1u << 20);
  SnapshotStore store(**db);
  ASSERT_TRUE(store.Write(kInstances, encoded).ok());

  // Reopen, so the value comes back through RocksDB's WAL recovery, not
  // from the memtable of the same process.
  db->reset();
  db = Db::Open(temp.path());
  ASSERT_TRUE(db.ok()) << db.status();
  SnapshotStore reopened(**db);
  std::vector<SkippedSnapshot> skipped;
  absl::StatusOr<std::optional<LoadedSnapshot>> loaded =
      reopened.LoadNewest(core::RegistryOptions{}, 1, kInstances, &skipped);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ((*loaded)->offset, static_cast<core::Offset>(kInstances));
  EXPECT_EQ((*loaded)->registry->instance_count(), kInstances);
  const core::Registry& restored = *(*loaded)->registry;
  EXPECT_EQ(restored.applications().size(), registry.applications().size());
  EXPECT_EQ(restored.status_counts(), registry.status_counts());
  EXPECT_EQ(restored.window().size(), registry.window().size());
  // Every 997th instance, whole (a full Serialize() of both would double
  // the test's time for little more coverage: the codec tests compare
  // whole registries at small sizes).
  for (int k = 0; k < kInstances; k += 997) {
    const core::Event event = Register(static_cast<core::Offset>(k + 1), k);
    const core::InstanceRecord* want = registry.Find(event.app, event.instance_id);
    const core::InstanceRecord* got = restored.Find(event.app, event.instance_id);
    ASSERT_NE(want, nullptr);
    ASSERT_NE(got, nullptr) << event.instance_id;
    EXPECT_EQ(*got, *want) << event.instance_id;
  }
}

}  // namespace
}  // namespace logbook::storage
