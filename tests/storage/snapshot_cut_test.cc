// SnapshotCut: a body encoded in slices while the registry keeps changing is
// the body of the registry as it was at the cut.
#include "storage/snapshot_cut.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/snapshot_codec.h"
#include "tests/core/random_workload.h"

namespace logbook::storage {
namespace {

using core::Registry;

void ExpectSameWindow(const Registry& a, const Registry& b) {
  ASSERT_EQ(a.window().size(), b.window().size());
  for (std::size_t i = 0; i < a.window().size(); ++i) {
    EXPECT_EQ(a.window()[i].timestamp_ms, b.window()[i].timestamp_ms);
    EXPECT_EQ(a.window()[i].instance_id, b.window()[i].instance_id);
  }
}

// For random workloads, cut points and slice sizes: the body equals that of
// a copy taken at the cut, it decodes to that copy, and the live registry
// ends as if no cut had been taken (the observer and the pinned window leave
// no trace once the cut is done).
TEST(SnapshotCut, SlicedBodyIsTheRegistryAtTheCut) {
  constexpr int kSeeds = 150;
  std::size_t preimages = 0;
  std::size_t pinned_entries = 0;
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(seed, 400);
    std::mt19937_64 rng(seed * 7919 + 1);
    const std::size_t cut_at = rng() % (work.events.size() + 1);
    Registry live(work.options);
    Registry reference(work.options);
    for (std::size_t i = 0; i < cut_at; ++i) {
      live.Apply(work.events[i]);
      reference.Apply(work.events[i]);
    }
    const Registry at_cut = live;
    auto cut = std::make_unique<SnapshotCut>(live);
    ASSERT_EQ(cut->offset(), at_cut.last_applied_offset());
    for (std::size_t i = cut_at; i < work.events.size(); ++i) {
      live.Apply(work.events[i]);
      reference.Apply(work.events[i]);
      if (!cut->done()) {
        pinned_entries += live.window().size() - reference.window().size();
        cut->EncodeSome(rng() % 3);
      }
      ASSERT_EQ(live.Serialize(), reference.Serialize()) << "after event " << i;
    }
    while (!cut->EncodeSome(1 + rng() % 4)) {
    }
    preimages += cut->preimages();
    ASSERT_TRUE(cut->error().ok()) << cut->error();
    const SnapshotBody body = cut->TakeBody();
    EXPECT_EQ(body.offset, at_cut.last_applied_offset());
    ASSERT_EQ(body.Joined(), EncodeSnapshotBody(at_cut));
    absl::StatusOr<std::unique_ptr<Registry>> decoded =
        DecodeSnapshot(EncodeSnapshotValue(body.offset, body.Joined()), body.offset, work.options);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ((*decoded)->Serialize(), at_cut.Serialize());
    ExpectSameWindow(**decoded, at_cut);
    // The first Apply after the cut drops what the pin kept.
    cut.reset();
    core::Event renew_of_nobody;
    renew_of_nobody.type = core::EventType::kRenew;
    renew_of_nobody.app = "NOBODY";
    renew_of_nobody.instance_id = "none";
    renew_of_nobody.offset = live.last_applied_offset() + 1;
    renew_of_nobody.timestamp_ms = work.end_ms;
    live.Apply(renew_of_nobody);
    reference.Apply(renew_of_nobody);
    ExpectSameWindow(live, reference);
    EXPECT_EQ(live.Serialize(), reference.Serialize());
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The copy-on-write and the pin were both exercised.
  EXPECT_GT(preimages, 100u);
  EXPECT_GT(pinned_entries, 0u);
}

TEST(SnapshotCut, AbandonedCutDetachesAndReportsWhy) {
  const core::testing::RandomWorkload work = core::testing::MakeRandomWorkload(3, 200);
  Registry live(work.options);
  for (std::size_t i = 0; i < 100; ++i) live.Apply(work.events[i]);
  SnapshotCut cut(live);
  cut.EncodeSome(1);
  cut.Abandon();
  EXPECT_TRUE(cut.done());
  EXPECT_FALSE(cut.error().ok());
  // Detached: later changes reach no observer (this would crash under ASan
  // if the registry still called the cut after it is gone).
  for (std::size_t i = 100; i < work.events.size(); ++i) live.Apply(work.events[i]);
  EXPECT_EQ(cut.preimages(), 0u);
}

TEST(SnapshotCut, BodiesOfAMebibyteAndMoreComeInPieces) {
  Registry registry;
  core::Event event;
  event.type = core::EventType::kRegister;
  for (int i = 0; i < 6000; ++i) {
    core::InstanceInfo info;
    info.app = "APP" + std::to_string(i % 7);
    info.instance_id = "instance-" + std::to_string(i);
    info.host_name = "host-" + std::to_string(i) + ".example.internal";
    info.ip_addr = "10.0.0.1";
    info.metadata["note"] = std::string(200, 'x');
    event.app = info.app;
    event.instance_id = *info.instance_id;
    event.instance = info;
    event.offset = static_cast<core::Offset>(i + 1);
    event.timestamp_ms = 1700000000000 + i;
    registry.Apply(event);
  }
  SnapshotCut cut(registry);
  while (!cut.EncodeSome(100)) {
  }
  const SnapshotBody body = cut.TakeBody();
  EXPECT_GT(body.pieces.size(), 1u);
  EXPECT_EQ(body.Joined(), EncodeSnapshotBody(registry));
}

}  // namespace
}  // namespace logbook::storage
