// EventLog::Append of a renewal on the loop thread in the steady state: the
// encoded value and its batch reuse a batch the writer has written, so the
// loop allocates nothing for them.
//
// Counts every operator new of the calling thread (tests/testing/counting_new,
// linked into storage_tests).
#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "core/event.h"
#include "gtest/gtest.h"
#include "storage/event_log.h"
#include "tests/storage/storage_test_util.h"
#include "tests/testing/counting_new/counting_new.h"

namespace logbook::storage {
namespace {

using testing::DurabilityRecorder;
using testing::TempDir;

std::atomic<char> sink{0};  // keeps the sanity allocation below observable

TEST(AppendAllocation, SteadyRenewalAppendsAllocateNothingOnTheLoop) {
  TempDir dir;
  DurabilityRecorder recorder;
  EventLogOptions options;
  options.data_dir = dir.path();
  options.sync = SyncPolicy::kNone;
  // Names within std::string's inline buffer: the event's own copies of them
  // (and of the node id, filled in by Append) are not what this test is about.
  options.node_id = "n1";
  absl::StatusOr<std::unique_ptr<EventLog>> opened = EventLog::Open(options, recorder.Callback());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EventLog& log = **opened;
  log.Start();

  core::Event renew;
  renew.type = core::EventType::kRenew;
  renew.app = "ORDERS";
  renew.instance_id = "orders-0001";
  renew.timestamp_ms = 1700000000000;
  const auto append = [&]() -> core::Offset {
    renew.origin_node.clear();
    renew.origin_offset = core::kNoOffset;
    absl::StatusOr<core::Offset> last = log.Append(std::span<core::Event>(&renew, 1));
    EXPECT_TRUE(last.ok()) << last.status();
    return last.ok() ? *last : core::kNoOffset;
  };
  // Each append written before the next, so a written batch is always spare.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(recorder.WaitForDurable(append()));

  // The counter does see this thread's allocations (else the bound below
  // would hold vacuously).
  logbook::testing::ResetCountedAllocations();
  logbook::testing::CountAllocationsOnThisThread(true);
  {
    const std::string allocated(1000, 'x');
    sink.store(allocated.back());
  }
  logbook::testing::CountAllocationsOnThisThread(false);
  ASSERT_GE(logbook::testing::CountedAllocations(), 1u);

  constexpr int kAppends = 200;
  std::size_t allocations = 0;
  for (int i = 0; i < kAppends; ++i) {
    logbook::testing::ResetCountedAllocations();
    logbook::testing::CountAllocationsOnThisThread(true);
    const core::Offset last = append();
    logbook::testing::CountAllocationsOnThisThread(false);
    allocations += logbook::testing::CountedAllocations();
    ASSERT_TRUE(recorder.WaitForDurable(last));
  }
  // Before batches were reused: 2 per append (the value and the batch's
  // vector). A couple are allowed for one-off set-up of a lock's slow path.
  EXPECT_LE(allocations, 2u) << "over " << kAppends << " appends";
  EXPECT_EQ(log.durable_offset(), core::Offset{20 + kAppends});
  log.Stop();
}

}  // namespace
}  // namespace logbook::storage
