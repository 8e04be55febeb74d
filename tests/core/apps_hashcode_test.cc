#include "core/apps_hashcode.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/core/core_test_util.h"

namespace logbook::core {
namespace {

using testing::Harness;
using testing::MakeInstance;

StatusCounts Counts(std::int64_t up, std::int64_t down, std::int64_t starting,
                    std::int64_t out_of_service, std::int64_t unknown) {
  return StatusCounts{up, down, starting, out_of_service, unknown};
}

TEST(AppsHashcode, EmptyIsEmptyString) { EXPECT_EQ(AppsHashcode(Counts(0, 0, 0, 0, 0)), ""); }

TEST(AppsHashcode, OrderedByStatusNameNotEnum) {
  EXPECT_EQ(AppsHashcode(Counts(3, 1, 0, 0, 0)), "DOWN_1_UP_3_");
  EXPECT_EQ(AppsHashcode(Counts(2, 0, 0, 0, 0)), "UP_2_");
  EXPECT_EQ(AppsHashcode(Counts(5, 0, 2, 1, 0)), "OUT_OF_SERVICE_1_STARTING_2_UP_5_");
  EXPECT_EQ(AppsHashcode(Counts(1, 1, 1, 1, 1)),
            "DOWN_1_OUT_OF_SERVICE_1_STARTING_1_UNKNOWN_1_UP_1_");
}

TEST(AppsHashcode, OrderMatchesLexicographicStatusNames) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) names.emplace_back(StatusName(static_cast<InstanceStatus>(i)));
  std::sort(names.begin(), names.end());
  std::string expected;
  for (const std::string& name : names) expected += name + "_1_";
  EXPECT_EQ(AppsHashcode(Counts(1, 1, 1, 1, 1)), expected);
}

// Conformance checklist 30.
TEST(AppsHashcode, ThreeUpOneDownRegistry) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.Register(MakeInstance("ORDERS", "o2"), 1000);
  harness.Register(MakeInstance("BILLING", "b1"), 1000);
  harness.Register(MakeInstance("BILLING", "b2", InstanceStatus::kDown), 1000);
  EXPECT_EQ(AppsHashcode(harness.registry().status_counts()), "DOWN_1_UP_3_");
}

// Conformance checklist 31.
TEST(AppsHashcode, EmptyRegistry) {
  Harness harness;
  EXPECT_EQ(AppsHashcode(harness.registry().status_counts()), "");
}

// Conformance checklist 32.
TEST(AppsHashcode, OverrideCountsAsOutOfService) {
  Harness harness;
  harness.Register(MakeInstance("ORDERS", "o1"), 1000);
  harness.Register(MakeInstance("ORDERS", "o2"), 1000);
  harness.Register(MakeInstance("ORDERS", "o3"), 1000);
  harness.SetStatus("ORDERS", "o3", InstanceStatus::kOutOfService, 2000);
  EXPECT_EQ(AppsHashcode(harness.registry().status_counts()), "OUT_OF_SERVICE_1_UP_2_");
}

}  // namespace
}  // namespace logbook::core
