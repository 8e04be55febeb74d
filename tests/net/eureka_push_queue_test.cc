// The per-peer queue of pushes to a stock Eureka peer: one item per
// action#APP/ID (newest wins, moved to the back), bounded with heartbeats
// dropped first, failed batches put back in front.
#include "net/replication/eureka_push_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace logbook::net::replication {
namespace {

using Clock = std::chrono::steady_clock;

eureka::OutgoingReplicationItem Item(std::string action, std::string id,
                                     core::TimestampMs dirty = 0) {
  eureka::OutgoingReplicationItem item;
  item.action = std::move(action);
  item.app_name = "ORDERS";
  item.id = std::move(id);
  if (dirty != 0) item.last_dirty_timestamp = dirty;
  return item;
}

std::vector<std::string> Keys(const std::vector<QueuedPushItem>& items) {
  std::vector<std::string> keys;
  for (const QueuedPushItem& item : items) keys.push_back(item.key);
  return keys;
}

TEST(EurekaPushQueue, KeepsArrivalOrder) {
  EurekaPushQueue queue(10);
  const Clock::time_point now = Clock::now();
  queue.Push(Item("Register", "a"), now);
  queue.Push(Item("Heartbeat", "a"), now);
  queue.Push(Item("Cancel", "b"), now);
  EXPECT_EQ(Keys(queue.Take(10)),
            (std::vector<std::string>{"Register#ORDERS/a", "Heartbeat#ORDERS/a", "Cancel#ORDERS/b"}));
  EXPECT_TRUE(queue.empty());
}

TEST(EurekaPushQueue, NewerItemWithTheSameKeyReplacesAndMovesToTheBack) {
  EurekaPushQueue queue(10);
  const Clock::time_point now = Clock::now();
  queue.Push(Item("Register", "a", 1), now);
  queue.Push(Item("Cancel", "a"), now);
  queue.Push(Item("Register", "a", 2), now);
  const std::vector<QueuedPushItem> taken = queue.Take(10);
  // Register, cancel, register must not become register, cancel.
  EXPECT_EQ(Keys(taken), (std::vector<std::string>{"Cancel#ORDERS/a", "Register#ORDERS/a"}));
  EXPECT_EQ(taken[1].item.last_dirty_timestamp, 2);
}

TEST(EurekaPushQueue, FullQueueDropsTheOldestHeartbeatFirst) {
  EurekaPushQueue queue(3);
  const Clock::time_point now = Clock::now();
  EXPECT_EQ(queue.Push(Item("Register", "a"), now), 0u);
  EXPECT_EQ(queue.Push(Item("Heartbeat", "b"), now), 0u);
  EXPECT_EQ(queue.Push(Item("Heartbeat", "c"), now), 0u);
  EXPECT_EQ(queue.Push(Item("Register", "d"), now), 1u);
  EXPECT_EQ(Keys(queue.Take(10)), (std::vector<std::string>{"Register#ORDERS/a", "Heartbeat#ORDERS/c",
                                                            "Register#ORDERS/d"}));
}

TEST(EurekaPushQueue, WithoutHeartbeatsTheOldestItemGoes) {
  EurekaPushQueue queue(2);
  const Clock::time_point now = Clock::now();
  queue.Push(Item("Register", "a"), now);
  queue.Push(Item("Register", "b"), now);
  EXPECT_EQ(queue.Push(Item("Cancel", "c"), now), 1u);
  EXPECT_EQ(Keys(queue.Take(10)),
            (std::vector<std::string>{"Register#ORDERS/b", "Cancel#ORDERS/c"}));
}

TEST(EurekaPushQueue, TakeIsBoundedAndOldestIsTheFront) {
  EurekaPushQueue queue(10);
  const Clock::time_point first = Clock::now();
  queue.Push(Item("Heartbeat", "a"), first);
  queue.Push(Item("Register", "b"), first + std::chrono::seconds(1));
  EXPECT_EQ(queue.oldest(), first);
  EXPECT_EQ(Keys(queue.Take(1)), (std::vector<std::string>{"Heartbeat#ORDERS/a"}));
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.oldest(), first + std::chrono::seconds(1));
}

TEST(EurekaPushQueue, RequeuedItemsGoBackInFrontUnlessSuperseded) {
  EurekaPushQueue queue(10);
  const Clock::time_point now = Clock::now();
  queue.Push(Item("Register", "a"), now);
  queue.Push(Item("Heartbeat", "b", 1), now);
  std::vector<QueuedPushItem> failed = queue.Take(10);
  queue.Push(Item("Heartbeat", "b", 2), now);  // newer than the failed one
  queue.Push(Item("Register", "c"), now);
  EXPECT_EQ(queue.Requeue(std::move(failed)), 0u);
  const std::vector<QueuedPushItem> taken = queue.Take(10);
  EXPECT_EQ(Keys(taken), (std::vector<std::string>{"Register#ORDERS/a", "Heartbeat#ORDERS/b",
                                                   "Register#ORDERS/c"}));
  EXPECT_EQ(taken[1].item.last_dirty_timestamp, 2);
}

TEST(EurekaPushQueue, RequeueBeyondCapacityDropsHeartbeats) {
  EurekaPushQueue queue(2);
  const Clock::time_point now = Clock::now();
  queue.Push(Item("Heartbeat", "a"), now);
  queue.Push(Item("Register", "b"), now);
  std::vector<QueuedPushItem> failed = queue.Take(10);
  queue.Push(Item("Register", "c"), now);
  EXPECT_EQ(queue.Requeue(std::move(failed)), 1u);
  EXPECT_EQ(Keys(queue.Take(10)),
            (std::vector<std::string>{"Register#ORDERS/b", "Register#ORDERS/c"}));
}

}  // namespace
}  // namespace logbook::net::replication
