// The registry's lookup indexes (by (app, id) and by VIP) view the keys of
// its own maps: copies and moves must leave every lookup answering from the
// registry it is asked, never from the one it came from.
#include <array>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/decide.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::MakeInstance;

class Builder {
 public:
  explicit Builder(Registry& registry) : registry_(registry) {}
  void Register(InstanceInfo info, TimestampMs now_ms) {
    Commit(DecideRegister(registry_, RegisterCommand{std::move(info), false},
                          testing::Context(now_ms)));
  }
  void Cancel(std::string app, std::string id, TimestampMs now_ms) {
    Commit(DecideCancel(registry_, CancelCommand{std::move(app), std::move(id), false},
                        testing::Context(now_ms)));
  }

 private:
  void Commit(Decision decision) {
    for (Event& event : decision.events) {
      event.offset = registry_.last_applied_offset() + 1;
      registry_.Apply(event);
    }
  }
  Registry& registry_;
};

std::unique_ptr<Registry> ThreeInstances() {
  auto registry = std::make_unique<Registry>();
  Builder builder(*registry);
  InstanceInfo a = MakeInstance("ORDERS", "orders-with-a-long-instance-id-1");
  a.vip_address = "orders-vip,shared-vip";
  InstanceInfo b = MakeInstance("ORDERS", "orders-with-a-long-instance-id-2");
  b.secure_vip_address = "orders-secure";
  InstanceInfo c = MakeInstance("PAYMENTS-SERVICE-WITH-A-LONG-NAME", "payments-1");
  c.vip_address = "shared-vip";
  builder.Register(a, 1000);
  builder.Register(b, 1001);
  builder.Register(c, 1002);
  return registry;
}

void ExpectThreeInstances(const Registry& registry) {
  ASSERT_NE(registry.Find("ORDERS", "orders-with-a-long-instance-id-1"), nullptr);
  EXPECT_EQ(registry.Find("ORDERS", "orders-with-a-long-instance-id-1")->info.app, "ORDERS");
  ASSERT_NE(registry.Find("PAYMENTS-SERVICE-WITH-A-LONG-NAME", "payments-1"), nullptr);
  EXPECT_EQ(registry.Find("ORDERS", "payments-1"), nullptr);
  const auto shared = registry.ByVip("shared-vip", false);
  ASSERT_EQ(shared.size(), 2u);
  EXPECT_EQ(shared[0]->info.app, "ORDERS");
  EXPECT_EQ(shared[1]->info.app, "PAYMENTS-SERVICE-WITH-A-LONG-NAME");
  ASSERT_EQ(registry.ByVip("orders-secure", true).size(), 1u);
  EXPECT_EQ(registry.ByVip("orders-secure", false).size(), 0u);
  // Every pointer the lookups return is a record of this registry.
  const Application* orders = registry.FindApplication("ORDERS");
  ASSERT_NE(orders, nullptr);
  EXPECT_EQ(registry.Find("ORDERS", "orders-with-a-long-instance-id-1"),
            &orders->instances.at("orders-with-a-long-instance-id-1"));
}

TEST(RegistryIndex, ACopyAnswersFromItselfOnceTheSourceIsGone) {
  std::unique_ptr<Registry> source = ThreeInstances();
  const std::string serialized = source->Serialize();
  const std::uint64_t version = source->version();
  const std::uint64_t shown_version = source->shown_version();
  ASSERT_GT(shown_version, 0u);
  Registry copy(*source);
  source.reset();
  ExpectThreeInstances(copy);
  EXPECT_EQ(copy.Serialize(), serialized);
  // Cached documents are keyed by these: a copy must not reuse an older key.
  EXPECT_EQ(copy.version(), version);
  EXPECT_EQ(copy.shown_version(), shown_version);

  Registry assigned;
  {
    std::unique_ptr<Registry> other = ThreeInstances();
    assigned = *other;
  }
  ExpectThreeInstances(assigned);
}

TEST(RegistryIndex, AMovedRegistryKeepsItsLookups) {
  std::unique_ptr<Registry> source = ThreeInstances();
  Registry moved(std::move(*source));
  source.reset();
  ExpectThreeInstances(moved);

  Registry assigned;
  assigned = std::move(moved);
  ExpectThreeInstances(assigned);
}

TEST(RegistryIndex, RemovalAndReRegistrationKeepTheIndexesExact) {
  std::unique_ptr<Registry> registry = ThreeInstances();
  Builder builder(*registry);
  builder.Cancel("PAYMENTS-SERVICE-WITH-A-LONG-NAME", "payments-1", 2000);
  EXPECT_EQ(registry->Find("PAYMENTS-SERVICE-WITH-A-LONG-NAME", "payments-1"), nullptr);
  EXPECT_EQ(registry->FindApplication("PAYMENTS-SERVICE-WITH-A-LONG-NAME"), nullptr);
  EXPECT_EQ(registry->ByVip("shared-vip", false).size(), 1u);

  // Re-registered with another VIP: the old one no longer names it.
  InstanceInfo again = MakeInstance("ORDERS", "orders-with-a-long-instance-id-1", InstanceStatus::kUp,
                                    2000);
  again.vip_address = "orders-vip-2";
  builder.Register(again, 2001);
  EXPECT_EQ(registry->ByVip("shared-vip", false).size(), 0u);
  // MakeInstance gives every instance "orders-vip"; only the second keeps it.
  ASSERT_EQ(registry->ByVip("orders-vip", false).size(), 1u);
  EXPECT_EQ(registry->ByVip("orders-vip", false)[0],
            registry->Find("ORDERS", "orders-with-a-long-instance-id-2"));
  ASSERT_EQ(registry->ByVip("orders-vip-2", false).size(), 1u);
  EXPECT_EQ(registry->ByVip("orders-vip-2", false)[0],
            registry->Find("ORDERS", "orders-with-a-long-instance-id-1"));

  // The same state built from scratch serializes to the same bytes.
  auto rebuilt = Registry::FromState({}, RegistryState{registry->applications(), registry->overrides(),
                                                       registry->version(),
                                                       registry->last_applied_offset(),
                                                       registry->expected_clients(),
                                                       registry->renew_meter(), registry->window()});
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  EXPECT_EQ((*rebuilt)->Serialize(), registry->Serialize());
  EXPECT_NE((*rebuilt)->Find("ORDERS", "orders-with-a-long-instance-id-2"), nullptr);
}

// A registry built from a state (a restored snapshot: the indexes built in
// bulk) answers every lookup as the registry the events built one at a time,
// and keeps doing so as further events change both.
class RandomRegistry {
 public:
  explicit RandomRegistry(std::uint64_t seed) : rng_(seed) {}

  // A registration (new, or replacing the instance with other VIPs and
  // status) or a cancellation, as the next event.
  Event Next() {
    static constexpr std::array<const char*, 5> kApps = {"ORDERS", "BILLING", "A", "B-LONG-APP-NAME-X",
                                                         "C"};
    static constexpr std::array<const char*, 9> kVips = {
        "", "orders-vip", "shared", "a,b", ",shared,,orders-vip,", "b,a", "x", "shared,shared",
        "a-vip-name-long-enough-for-the-heap"};
    Event event;
    event.offset = ++offset_;
    event.timestamp_ms = 1700000000000 + static_cast<TimestampMs>(offset_) * 1000;
    event.app = kApps[Below(kApps.size())];
    event.instance_id = "instance-with-a-long-id-" + std::to_string(Below(25));
    if (Below(100) < 25) {
      event.type = EventType::kCancel;
      return event;
    }
    event.type = EventType::kRegister;
    InstanceInfo info = testing::MakeInstance(event.app, event.instance_id,
                                              static_cast<InstanceStatus>(Below(5)),
                                              event.timestamp_ms);
    const auto vip = [&]() -> CompactString {
      const std::size_t pick = Below(kVips.size() + 1);
      if (pick == kVips.size()) return std::nullopt;
      return CompactString(kVips[pick]);
    };
    info.vip_address = vip();
    info.secure_vip_address = vip();
    event.instance = std::move(info);
    return event;
  }

  static std::vector<std::string_view> VipsToAsk() {
    return {"", "orders-vip", "shared", "a", "b", "a,b", "x", "unknown",
            "a-vip-name-long-enough-for-the-heap"};
  }

 private:
  std::size_t Below(std::size_t bound) { return static_cast<std::size_t>(rng_() % bound); }
  std::mt19937_64 rng_;
  Offset offset_ = 0;
};

std::vector<std::pair<std::string, std::string>> Keys(
    const std::vector<const InstanceRecord*>& records) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const InstanceRecord* record : records) {
    keys.emplace_back(record->info.app, record->info.EffectiveId());
  }
  return keys;
}

void ExpectSameAnswers(const Registry& expected, const Registry& actual) {
  EXPECT_EQ(actual.Serialize(), expected.Serialize());
  EXPECT_EQ(actual.instance_count(), expected.instance_count());
  EXPECT_EQ(actual.status_counts(), expected.status_counts());
  for (const auto& [name, application] : expected.applications()) {
    const Application* mine = actual.FindApplication(name);
    ASSERT_NE(mine, nullptr) << name;
    EXPECT_EQ(mine->name, name);
    for (const auto& [id, record] : application.instances) {
      const InstanceRecord* found = actual.Find(name, id);
      ASSERT_NE(found, nullptr) << name << "/" << id;
      EXPECT_EQ(*found, record);
      EXPECT_EQ(found, &mine->instances.at(id)) << "a record of another registry";
      ASSERT_NE(actual.FindById(id), nullptr);
      EXPECT_EQ(actual.FindById(id)->info.app, expected.FindById(id)->info.app);
    }
  }
  for (std::string_view vip : RandomRegistry::VipsToAsk()) {
    for (bool secure : {false, true}) {
      const std::vector<const InstanceRecord*> mine = actual.ByVip(vip, secure);
      EXPECT_EQ(Keys(mine), Keys(expected.ByVip(vip, secure))) << vip << " secure " << secure;
      for (const InstanceRecord* record : mine) {
        EXPECT_EQ(record, actual.Find(record->info.app, record->info.EffectiveId()));
      }
    }
  }
}

RegistryState StateOf(const Registry& registry) {
  return RegistryState{registry.applications(),      registry.overrides(),
                       registry.version(),           registry.last_applied_offset(),
                       registry.expected_clients(),  registry.renew_meter(),
                       registry.window()};
}

TEST(RegistryIndexProperty, BuiltFromAStateAnswersAsTheAppliedEventsDo) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    RandomRegistry events(seed);
    Registry applied;
    for (int i = 0; i < 300; ++i) applied.Apply(events.Next());
    absl::StatusOr<std::unique_ptr<Registry>> restored =
        Registry::FromState(applied.options(), StateOf(applied));
    ASSERT_TRUE(restored.ok()) << restored.status();
    ExpectSameAnswers(applied, **restored);
    Registry copied(applied);
    ExpectSameAnswers(applied, copied);
    // The bulk-built indexes take removals and insertions like any others.
    for (int i = 0; i < 200; ++i) {
      const Event event = events.Next();
      applied.Apply(event);
      (*restored)->Apply(event);
      copied.Apply(event);
    }
    ExpectSameAnswers(applied, **restored);
    ExpectSameAnswers(applied, copied);
  }
}

}  // namespace
}  // namespace logbook::core
