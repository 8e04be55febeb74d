// The renewal hot path's allocations in core: Apply() of a RENEW allocates
// nothing, and DecideRenew() allocates only the vector that carries its one
// event, however large the instance record is (the record is never copied),
// and not even that when it is handed an earlier decision's vector.
//
// Counts every operator new of the calling thread (tests/testing/counting_new,
// linked into core_tests).
#include <cstddef>
#include <string>
#include <vector>

#include "core/decide.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"
#include "tests/testing/counting_new/counting_new.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

// Allocations made by `work` on this thread.
template <typename Work>
std::size_t AllocationsOf(Work&& work) {
  logbook::testing::ResetCountedAllocations();
  logbook::testing::CountAllocationsOnThisThread(true);
  work();
  logbook::testing::CountAllocationsOnThisThread(false);
  return logbook::testing::CountedAllocations();
}

// Names short enough for std::string's inline buffer, as most app names and
// instance ids in the benchmarks are; longer ones cost their own copies.
constexpr char kApp[] = "ORDERS";
constexpr char kId[] = "orders-0001";

// A record big enough that copying it would take dozens of allocations.
InstanceInfo LargeInstance() {
  InstanceInfo info = MakeInstance(kApp, kId);
  for (int i = 0; i < 32; ++i) {
    info.metadata["metadata-key-number-" + std::to_string(i)] =
        "a value long enough to live on the heap " + std::to_string(i);
  }
  info.home_page_url = "http://orders-0001.example.internal:8080/a/long/home/page/url";
  info.status_page_url = "http://orders-0001.example.internal:8080/a/long/status/page/url";
  info.health_check_url = "http://orders-0001.example.internal:8080/a/long/health/check/url";
  return info;
}

TEST(RenewAllocationTest, ApplyingARenewalAllocatesNothing) {
  Registry registry;
  Offset offset = 0;
  const auto commit = [&](Decision decision) {
    for (Event& event : decision.events) {
      event.offset = ++offset;
      registry.Apply(event);
    }
  };
  commit(DecideRegister(registry, RegisterCommand{LargeInstance(), false}, testing::Context(1000)));
  const RenewCommand command{kApp, kId, std::nullopt, std::nullopt, false};
  // The first renewal of a run may set up the renew meter's bucket.
  commit(DecideRenew(registry, command, testing::Context(2000)));
  Decision decision = DecideRenew(registry, command, testing::Context(3000));
  ASSERT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  decision.events[0].offset = ++offset;

  EXPECT_EQ(AllocationsOf([&] { registry.Apply(decision.events[0]); }), 0u);
  EXPECT_EQ(registry.Find(kApp, kId)->lease.last_renewal_timestamp, 3000);
  EXPECT_EQ(registry.last_applied_offset(), offset);
}

TEST(RenewAllocationTest, DecidingARenewalAllocatesOnlyItsEventVector) {
  Harness harness;
  harness.Register(LargeInstance(), 1000);
  harness.Renew(kApp, kId, 2000);
  const RenewCommand command{kApp, kId, /*last_dirty_timestamp=*/1000, std::nullopt, false};

  Decision decision;
  const std::size_t count = AllocationsOf(
      [&] { decision = DecideRenew(harness.registry(), command, testing::Context(3000)); });

  EXPECT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events[0].type, EventType::kRenew);
  EXPECT_FALSE(decision.conflict_instance.has_value());
  EXPECT_EQ(count, 1u) << "a renewal must not copy the instance record";
}

TEST(RenewAllocationTest, DecidingARenewalIntoAHandedBackVectorAllocatesNothing) {
  Harness harness;
  harness.Register(LargeInstance(), 1000);
  harness.Renew(kApp, kId, 2000);
  const RenewCommand command{kApp, kId, /*last_dirty_timestamp=*/1000, std::nullopt, false};
  // What the write pipeline hands back: the last renewal's vector, with its
  // event still in it (DecideRenew clears it).
  Decision previous = DecideRenew(harness.registry(), command, testing::Context(2500));
  ASSERT_EQ(previous.events.size(), 1u);
  std::vector<Event> spare = std::move(previous.events);

  Decision decision;
  const std::size_t count = AllocationsOf([&] {
    decision = DecideRenew(harness.registry(), command, testing::Context(3000), std::move(spare));
  });

  EXPECT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  EXPECT_EQ(decision.events[0].type, EventType::kRenew);
  EXPECT_EQ(decision.events[0].timestamp_ms, 3000);
  EXPECT_EQ(count, 0u);
}

// Real ids ("10.0.0.7:orders-service:8080") and node ids outgrow
// std::string's inline buffer: the handed-back event lends its buffers, the
// origin node id's included (the log fills it in after the decision).
TEST(RenewAllocationTest, LongNamesReuseTheHandedBackEventsBuffers) {
  constexpr char kLongApp[] = "orders-service-with-a-long-name";
  constexpr char kLongId[] = "10.0.0.7:orders-service-with-a-long-name:8080";
  InstanceInfo info = LargeInstance();
  info.app = ToUpperAscii(kLongApp);
  info.instance_id = kLongId;
  info.host_name = kLongId;
  Harness harness;
  harness.Register(info, 1000);
  const RenewCommand command{kLongApp, kLongId, std::nullopt, std::nullopt, false};
  Decision previous = DecideRenew(harness.registry(), command, testing::Context(2000));
  ASSERT_EQ(previous.events.size(), 1u);
  previous.events[0].origin_node = "node-0123456789abcdef";  // as the log fills it in
  std::vector<Event> spare = std::move(previous.events);

  Decision decision;
  const std::size_t count = AllocationsOf([&] {
    decision = DecideRenew(harness.registry(), command, testing::Context(3000), std::move(spare));
  });

  ASSERT_EQ(decision.outcome, Outcome::kOk);
  ASSERT_EQ(decision.events.size(), 1u);
  const Event& renew = decision.events[0];
  EXPECT_EQ(renew.app, ToUpperAscii(kLongApp));
  EXPECT_EQ(renew.instance_id, kLongId);
  EXPECT_TRUE(renew.origin_node.empty()) << "the log fills in the origin";
  EXPECT_GE(renew.origin_node.capacity(), std::string_view("node-0123456789abcdef").size());
  EXPECT_EQ(count, 0u);
}

// A registration asks for the effective id several times (validation,
// decision, the apply's check, the insert): it is a view, not a copy, of a
// real id longer than std::string's inline buffer.
TEST(RenewAllocationTest, TheEffectiveIdIsAViewNotACopy) {
  InstanceInfo info = LargeInstance();
  info.instance_id = "10.0.0.7:orders-service-with-a-long-name:8080";
  std::size_t size = 0;
  EXPECT_EQ(AllocationsOf([&] { size = info.EffectiveId().size(); }), 0u);
  EXPECT_EQ(size, std::string_view("10.0.0.7:orders-service-with-a-long-name:8080").size());
  info.instance_id = CompactString();  // absent: the host name is the id
  EXPECT_EQ(info.EffectiveId(), info.host_name.view());
}

TEST(RenewAllocationTest, AConflictStillCarriesTheRenewedRecord) {
  // The copy the hot path avoids is still made for a 409's body.
  Harness harness;
  harness.Register(LargeInstance(), 1000);
  const RenewCommand command{kApp, kId, /*last_dirty_timestamp=*/500, std::nullopt,
                             /*is_replication=*/true};
  const Decision decision = DecideRenew(harness.registry(), command, testing::Context(3000));
  ASSERT_EQ(decision.outcome, Outcome::kConflict);
  ASSERT_TRUE(decision.conflict_instance.has_value());
  EXPECT_EQ(decision.conflict_instance->lease.last_renewal_timestamp, 3000);
  EXPECT_EQ(decision.conflict_instance->info.metadata, LargeInstance().metadata);
  EXPECT_EQ(decision.conflict_instance->info.status, InstanceStatus::kUp);
}

}  // namespace
}  // namespace logbook::core
