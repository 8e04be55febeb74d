#include "core/status_override_rules.h"

#include <optional>

#include "gtest/gtest.h"

namespace logbook::core {
namespace {

constexpr InstanceStatus kUp = InstanceStatus::kUp;
constexpr InstanceStatus kDown = InstanceStatus::kDown;
constexpr InstanceStatus kStarting = InstanceStatus::kStarting;
constexpr InstanceStatus kOos = InstanceStatus::kOutOfService;
constexpr InstanceStatus kUnknown = InstanceStatus::kUnknown;
constexpr std::nullopt_t kNone = std::nullopt;

struct RuleCase {
  const char* why;
  InstanceStatus instance;
  std::optional<InstanceStatus> override_status;
  std::optional<InstanceStatus> existing;
  bool is_replication;
  InstanceStatus expected;
};

// eureka-protocol.md §4.4, rule by rule and in their order.
const RuleCase kRuleCases[] = {
    // Rule 1: DOWN, STARTING, UNKNOWN win over everything.
    {"down beats override", kDown, kOos, kUp, false, kDown},
    {"starting beats existing up", kStarting, kNone, kUp, false, kStarting},
    {"unknown beats override", kUnknown, kUp, kUp, false, kUnknown},
    {"down on replication", kDown, kOos, kUp, true, kDown},
    // Rule 2: an override decides for UP / OUT_OF_SERVICE instances.
    {"override beats up", kUp, kOos, kUp, false, kOos},
    {"override beats up on replication", kUp, kOos, kNone, true, kOos},
    {"override up beats oos instance", kOos, kUp, kOos, false, kUp},
    {"override unknown", kUp, kUnknown, kNone, false, kUnknown},
    // Rule 3: an existing UP / OUT_OF_SERVICE lease holds (clients only).
    {"existing oos kept", kUp, kNone, kOos, false, kOos},
    {"existing up kept", kOos, kNone, kUp, false, kUp},
    {"existing oos ignored on replication", kUp, kNone, kOos, true, kUp},
    {"existing down does not hold", kUp, kNone, kDown, false, kUp},
    {"existing unknown does not hold", kUp, kNone, kUnknown, false, kUp},
    // Rule 4: the instance's own status.
    {"new lease up", kUp, kNone, kNone, false, kUp},
    {"new lease oos", kOos, kNone, kNone, false, kOos},
    {"replicated up", kUp, kNone, kNone, true, kUp},
};

TEST(StatusOverrideRules, RuleChainTable) {
  for (const RuleCase& rule_case : kRuleCases) {
    EXPECT_EQ(EffectiveStatus(rule_case.instance, rule_case.override_status, rule_case.existing,
                              rule_case.is_replication),
              rule_case.expected)
        << rule_case.why;
  }
}

}  // namespace
}  // namespace logbook::core
