// The registry's lookup indexes (by (app, id) and by VIP) view the keys of
// its own maps: copies and moves must leave every lookup answering from the
// registry it is asked, never from the one it came from.
#include <memory>
#include <string>

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

}  // namespace
}  // namespace logbook::core
