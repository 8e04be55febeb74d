// The loop-thread end of replication: a batch must continue the cursor held
// for its peer, and is applied only as far as its causal requirements are
// met (docs/replication.md, "Causality"). A fake journal stands in for the
// log; durability is signalled by hand.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/event_journal.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "net/replication/batch_chunks.h"
#include "net/replication/cursor_table.h"
#include "net/replication/replication_applier.h"
#include "net/write_pipeline.h"

namespace logbook::net::replication {
namespace {

class FakeJournal final : public core::EventJournal {
 public:
  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override {
    for (core::Event& event : events) {
      event.offset = ++last_;
      logged.push_back(event);
    }
    return last_;
  }
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor& cursor) override {
    cursors.push_back(cursor);
    return Append(events);
  }
  core::Offset last_offset() const override { return last_; }
  absl::Status Read(core::Offset, std::size_t, std::vector<core::Event>*) const override {
    return absl::UnimplementedError("not in this test");
  }
  core::Offset first_offset() const override { return 1; }

  std::vector<core::Event> logged;
  std::vector<core::PeerCursor> cursors;

 private:
  core::Offset last_ = 0;
};

core::Event Cancel(const std::string& origin, core::Offset origin_offset) {
  core::Event event;
  event.type = core::EventType::kCancel;
  event.app = std::string("ORDERS");
  event.instance_id = std::string("o1");
  event.timestamp_ms = 1000;
  event.origin_node = origin;
  event.origin_offset = origin_offset;
  event.offset = origin_offset;
  return event;
}

class ReplicationApplierTest : public ::testing::Test {
 protected:
  // Applies `batch` and makes everything durable; the result passed to done.
  absl::Status Apply(PulledBatch batch) {
    std::optional<absl::Status> result;
    applier_.Apply(std::move(batch), [&result](absl::Status status) { result = status; });
    pipeline_.OnDurable(journal_.last_offset(), absl::OkStatus());
    EXPECT_TRUE(result.has_value());
    return result.value_or(absl::UnknownError("done never ran"));
  }

  core::Registry registry_;
  FakeJournal journal_;
  WritePipeline pipeline_{registry_, journal_, 0};
  CursorTable cursors_{{}};
  ReplicationApplier applier_{pipeline_, cursors_, "self"};
};

TEST_F(ReplicationApplierTest, FirstBatchOfANewPeerMustStartAtOffsetOne) {
  EXPECT_TRUE(absl::IsFailedPrecondition(Apply(PulledBatch{"b", "id-b", 5, 9, {}, {{}}})));
  EXPECT_TRUE(journal_.logged.empty());
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b", 1, 4, {Cancel("b", 2)}, {{}, {}}}).ok());
  ASSERT_EQ(journal_.logged.size(), 1u);
  EXPECT_EQ(journal_.logged[0].source, core::EventSource::kLogbookPeer);
  EXPECT_EQ(journal_.logged[0].origin_node, "b");
  EXPECT_EQ(journal_.logged[0].origin_offset, 2u);
  EXPECT_EQ(journal_.logged[0].offset, 1u);  // a local offset
  EXPECT_EQ(cursors_.Get("b"), (core::PeerCursor{"b", "id-b", 4}));
  EXPECT_EQ(journal_.cursors.back(), (core::PeerCursor{"b", "id-b", 4}));
}

TEST_F(ReplicationApplierTest, ABatchThatDoesNotContinueTheCursorIsRefusedWhole) {
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b", 1, 4, {Cancel("b", 2)}, {{}, {}}}).ok());
  // Replayed (already applied) and skipping ahead: both refused.
  EXPECT_TRUE(absl::IsFailedPrecondition(Apply(PulledBatch{"b", "id-b", 1, 4, {Cancel("b", 2)}, {{}, {}}})));
  EXPECT_TRUE(absl::IsFailedPrecondition(Apply(PulledBatch{"b", "id-b", 6, 8, {}, {{}}})));
  EXPECT_EQ(journal_.logged.size(), 1u);
}

TEST_F(ReplicationApplierTest, EventsOfAnotherOriginAreRefused) {
  EXPECT_TRUE(absl::IsInvalidArgument(Apply(PulledBatch{"b", "id-b", 1, 4, {Cancel("c", 2)}, {{}, {}}})));
  EXPECT_TRUE(journal_.logged.empty());
  EXPECT_FALSE(cursors_.Get("b").has_value());
}

TEST_F(ReplicationApplierTest, ANewLogIdentityStartsOverFromOffsetOne) {
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b", 1, 10, {}, {{}}}).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(Apply(PulledBatch{"b", "id-b2", 10, 12, {}, {{}}})));
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b2", 1, 3, {Cancel("b", 1)}, {{}, {}}}).ok());
  EXPECT_EQ(cursors_.Get("b"), (core::PeerCursor{"b", "id-b2", 3}));
  // A new history with nothing in it yet still moves the cursor to it.
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b3", 1, 1, {}, {{}}}).ok());
  EXPECT_EQ(cursors_.Get("b"), (core::PeerCursor{"b", "id-b3", 1}));
  EXPECT_EQ(journal_.cursors.back(), (core::PeerCursor{"b", "id-b3", 1}));
}

TEST_F(ReplicationApplierTest, AppliesOnlyThePrefixWhoseRequirementsAreMet) {
  // c's events up to origin offset 7 are held here; b's second event needs
  // c's offset 9, which is not.
  ASSERT_TRUE(Apply(PulledBatch{"c", "id-c", 1, 8, {}, {{}}}).ok());
  PulledBatch batch{"b",
                    "id-b",
                    1,
                    20,
                    {Cancel("b", 2), Cancel("b", 6)},
                    {{Requirement{1, "c", 7}}, {Requirement{5, "c", 9}}, {}}};
  ASSERT_TRUE(Apply(std::move(batch)).ok());
  ASSERT_EQ(journal_.logged.size(), 1u);
  EXPECT_EQ(journal_.logged[0].origin_offset, 2u);
  // The next pull resumes at the unmet requirement's offset.
  EXPECT_EQ(cursors_.Get("b")->next_offset, 5u);
  // Nothing applicable at all: Unavailable, nothing appended, cursor kept.
  EXPECT_TRUE(absl::IsUnavailable(
      Apply(PulledBatch{"b", "id-b", 5, 20, {Cancel("b", 6)}, {{Requirement{5, "c", 9}}, {}}})));
  EXPECT_EQ(journal_.logged.size(), 1u);
  EXPECT_EQ(cursors_.Get("b")->next_offset, 5u);
  // Once c reaches offset 9, it goes through.
  ASSERT_TRUE(Apply(PulledBatch{"c", "id-c", 8, 10, {}, {{}}}).ok());
  ASSERT_TRUE(
      Apply(PulledBatch{"b", "id-b", 5, 20, {Cancel("b", 6)}, {{Requirement{5, "c", 9}}, {}}}).ok());
  EXPECT_EQ(cursors_.Get("b")->next_offset, 20u);
}

TEST_F(ReplicationApplierTest, TrailingRequirementsHoldTheCursorBack) {
  ASSERT_TRUE(Apply(PulledBatch{"b", "id-b", 1, 9, {}, {{Requirement{4, "c", 3}}}}).ok());
  EXPECT_EQ(cursors_.Get("b")->next_offset, 4u);
  // Still unmet: nothing moves.
  ASSERT_FALSE(Apply(PulledBatch{"b", "id-b", 4, 9, {}, {{Requirement{4, "c", 3}}}}).ok());
  EXPECT_EQ(cursors_.Get("b")->next_offset, 4u);
  // Requirements naming this node itself are always met.
  ASSERT_TRUE(Apply(PulledBatch{"c", "id-c", 1, 5, {}, {{Requirement{2, "self", 40}}}}).ok());
  EXPECT_EQ(cursors_.Get("c")->next_offset, 5u);
}

TEST_F(ReplicationApplierTest, StoppedApplierRefusesBatches) {
  applier_.Stop();
  EXPECT_TRUE(absl::IsCancelled(Apply(PulledBatch{"b", "id-b", 1, 4, {}, {{}}})));
  EXPECT_TRUE(journal_.cursors.empty());
}

TEST_F(ReplicationApplierTest, ChunksOfASplitBatchCommitInOrderEachWithItsCursor) {
  // b's events at 2, 4, 6, 8, 10; requirement records of c before 4 and 9.
  ASSERT_TRUE(Apply(PulledBatch{"c", "id-c", 1, 8, {}, {{}}}).ok());
  PulledBatch batch{"b",
                    "id-b",
                    1,
                    12,
                    {Cancel("b", 2), Cancel("b", 4), Cancel("b", 6), Cancel("b", 8), Cancel("b", 10)},
                    {{}, {Requirement{3, "c", 5}}, {}, {}, {Requirement{9, "c", 7}}, {}}};
  std::vector<PulledBatch> chunks = SplitBatch(std::move(batch), 2);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].from, 1u);
  EXPECT_EQ(chunks[0].next, 5u);
  EXPECT_EQ(chunks[1].from, 5u);
  EXPECT_EQ(chunks[1].next, 9u);
  EXPECT_EQ(chunks[2].from, 9u);
  EXPECT_EQ(chunks[2].next, 12u);
  // Each requirement stays with the event it precedes, inside its chunk.
  EXPECT_EQ(chunks[0].requirements[1], (std::vector<Requirement>{Requirement{3, "c", 5}}));
  EXPECT_EQ(chunks[2].requirements[0], (std::vector<Requirement>{Requirement{9, "c", 7}}));
  for (const PulledBatch& chunk : chunks) {
    EXPECT_EQ(chunk.requirements.size(), chunk.events.size() + 1);
  }
  for (PulledBatch& chunk : chunks) ASSERT_TRUE(Apply(std::move(chunk)).ok());
  ASSERT_EQ(journal_.logged.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(journal_.logged[i].origin_offset, 2 + 2 * i);
  // One cursor per chunk, each written with that chunk's events.
  ASSERT_EQ(journal_.cursors.size(), 4u);  // c's, then b's three
  EXPECT_EQ(journal_.cursors[1].next_offset, 5u);
  EXPECT_EQ(journal_.cursors[2].next_offset, 9u);
  EXPECT_EQ(journal_.cursors[3].next_offset, 12u);
}

TEST_F(ReplicationApplierTest, AnUnmetRequirementInALaterChunkStopsTheCursorThere) {
  PulledBatch batch{"b",
                    "id-b",
                    1,
                    12,
                    {Cancel("b", 2), Cancel("b", 4), Cancel("b", 6)},
                    {{}, {}, {Requirement{5, "c", 7}}, {}}};
  std::vector<PulledBatch> chunks = SplitBatch(std::move(batch), 2);
  ASSERT_EQ(chunks.size(), 2u);
  ASSERT_TRUE(Apply(std::move(chunks[0])).ok());
  // c is not held: nothing of the second chunk goes in, the cursor stays
  // where the first one ended and the next pull resumes there.
  EXPECT_TRUE(absl::IsUnavailable(Apply(std::move(chunks[1]))));
  EXPECT_EQ(journal_.logged.size(), 2u);
  EXPECT_EQ(cursors_.Get("b")->next_offset, 5u);
}

TEST(SplitBatchTest, ABatchWithinTheBoundStaysWhole) {
  PulledBatch batch{"b", "id-b", 3, 9, {Cancel("b", 4)}, {{}, {Requirement{8, "c", 1}}}};
  std::vector<PulledBatch> chunks = SplitBatch(batch, 1);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].from, 3u);
  EXPECT_EQ(chunks[0].next, 9u);
  EXPECT_EQ(chunks[0].requirements, batch.requirements);
}

}  // namespace
}  // namespace logbook::net::replication
