// WritePipeline's failure handling with a journal the test drives: a full
// disk is transient (waiters on dropped events fail with 503's status, the
// registry is rolled back, writes are refused until the writer reports OK),
// anything else is fail-stop.
#include "net/write_pipeline.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/registry.h"

namespace logbook::net {
namespace {

// Assigns offsets like storage::EventLog; Append can be made to fail.
class ScriptedJournal final : public core::EventJournal {
 public:
  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override {
    ++appends;
    if (!refuse.ok()) return refuse;
    for (core::Event& event : events) event.offset = ++last;
    return last;
  }
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor&) override {
    return Append(events);
  }
  core::Offset last_offset() const override { return last; }
  absl::Status Read(core::Offset, std::size_t, std::vector<core::Event>*) const override {
    return absl::OkStatus();
  }
  core::Offset first_offset() const override { return 1; }

  core::Offset last = 0;
  int appends = 0;
  absl::Status refuse;
};

std::vector<core::Event> Renewal(const std::string& app = "A", const std::string& id = "a1") {
  core::Event event;
  event.type = core::EventType::kRenew;
  event.app = app;
  event.instance_id = id;
  std::vector<core::Event> events;
  events.push_back(std::move(event));
  return events;
}

class WritePipelineTest : public ::testing::Test {
 protected:
  WritePipelineTest() : pipeline_(registry_, journal_, 0) {
    pipeline_.SetRollback([this]() -> absl::Status {
      ++rollbacks_;
      // What the app does: rebuild from the durable log (here: empty).
      registry_ = core::Registry();
      journal_.last = pipeline_.durable_offset();
      return rollback_result_;
    });
    pipeline_.SetDiskFullListener(
        [this](const absl::Status& status) { disk_full_reports_.push_back(status); });
    pipeline_.SetFailureListener([this](const absl::Status&) { ++failures_; });
  }

  // Commits one event; the result lands in *result when the pipeline answers.
  void Commit(std::optional<absl::Status>* result) {
    pipeline_.Commit(Renewal(), [result](absl::Status status) { *result = std::move(status); });
  }

  core::Registry registry_;
  ScriptedJournal journal_;
  WritePipeline pipeline_;
  int rollbacks_ = 0;
  int failures_ = 0;
  absl::Status rollback_result_;
  std::vector<absl::Status> disk_full_reports_;
};

TEST_F(WritePipelineTest, DiskFullFailsTheDroppedWaitersRollsBackAndResumesOnOk) {
  std::optional<absl::Status> durable;
  std::optional<absl::Status> dropped;
  Commit(&durable);
  Commit(&dropped);
  EXPECT_EQ(registry_.last_applied_offset(), 2u);
  // Offset 1 made it; the writer then hit a full disk and dropped offset 2.
  pipeline_.OnDurable(1, absl::OkStatus());
  ASSERT_TRUE(durable.has_value());
  EXPECT_TRUE(durable->ok());
  pipeline_.OnDurable(1, absl::ResourceExhaustedError("no space"));
  ASSERT_TRUE(dropped.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*dropped));
  EXPECT_EQ(rollbacks_, 1);
  EXPECT_EQ(failures_, 0);
  EXPECT_TRUE(pipeline_.failure().ok());
  EXPECT_FALSE(pipeline_.accepting_writes());

  // While full: writes refused at once, without reaching the journal; reads
  // (AfterDurable) still answered.
  const int appends = journal_.appends;
  std::optional<absl::Status> refused;
  Commit(&refused);
  ASSERT_TRUE(refused.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*refused));
  EXPECT_EQ(journal_.appends, appends);
  std::optional<absl::Status> read;
  pipeline_.AfterDurable([&read](absl::Status status) { read = std::move(status); });
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->ok());

  // The writer wrote again: writes accepted, offsets continue after 1.
  pipeline_.OnDurable(1, absl::OkStatus());
  EXPECT_TRUE(pipeline_.accepting_writes());
  std::optional<absl::Status> resumed;
  Commit(&resumed);
  EXPECT_EQ(journal_.last, 2u);
  pipeline_.OnDurable(2, absl::OkStatus());
  ASSERT_TRUE(resumed.has_value());
  EXPECT_TRUE(resumed->ok());
  ASSERT_EQ(disk_full_reports_.size(), 2u);
  EXPECT_TRUE(absl::IsResourceExhausted(disk_full_reports_[0]));
  EXPECT_TRUE(disk_full_reports_[1].ok());
}

TEST_F(WritePipelineTest, AnAppendRefusedForSpaceAnswersWithoutFailingThePipeline) {
  journal_.refuse = absl::ResourceExhaustedError("no space");
  std::optional<absl::Status> result;
  Commit(&result);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*result));
  EXPECT_TRUE(pipeline_.failure().ok());
  EXPECT_EQ(registry_.last_applied_offset(), 0u);
}

TEST_F(WritePipelineTest, OtherWriteErrorsAreFailStop) {
  std::optional<absl::Status> pending;
  Commit(&pending);
  pipeline_.OnDurable(0, absl::InternalError("I/O error"));
  ASSERT_TRUE(pending.has_value());
  EXPECT_TRUE(absl::IsInternal(*pending));
  EXPECT_EQ(failures_, 1);
  EXPECT_EQ(rollbacks_, 0);
  // Even an OK report later does not bring it back.
  pipeline_.OnDurable(0, absl::OkStatus());
  std::optional<absl::Status> later;
  Commit(&later);
  ASSERT_TRUE(later.has_value());
  EXPECT_TRUE(absl::IsInternal(*later));
}

TEST_F(WritePipelineTest, AFailedRollbackIsFailStop) {
  rollback_result_ = absl::DataLossError("log damaged");
  std::optional<absl::Status> pending;
  Commit(&pending);
  pipeline_.OnDurable(0, absl::ResourceExhaustedError("no space"));
  EXPECT_EQ(failures_, 1);
  EXPECT_TRUE(absl::IsDataLoss(pipeline_.failure()));
}

TEST_F(WritePipelineTest, ACommittedRequestsEventVectorComesBackForTheNextDecision) {
  EXPECT_EQ(pipeline_.TakeSpareEvents().capacity(), 0u) << "nothing committed yet";
  std::vector<core::Event> events = Renewal();
  const core::Event* buffer = events.data();
  std::optional<absl::Status> result;
  pipeline_.Commit(std::move(events), [&result](absl::Status status) { result = std::move(status); });
  std::vector<core::Event> spare = pipeline_.TakeSpareEvents();
  // Its event still in it, for the next decision to reuse its strings' buffers.
  ASSERT_EQ(spare.size(), 1u);
  EXPECT_EQ(spare.data(), buffer) << "the committed vector itself, for its capacity";
  // Taken: the next one has none until another commit.
  EXPECT_EQ(pipeline_.TakeSpareEvents().capacity(), 0u);
  // The events were appended and applied before the vector was handed back.
  EXPECT_EQ(journal_.last, 1u);
  EXPECT_EQ(registry_.last_applied_offset(), 1u);
}

}  // namespace
}  // namespace logbook::net
