#pragma once
// A journal for tests that only need offsets: Append numbers the events
// densely from `last + 1` (filling in an origin like the log does) and keeps
// nothing, so everything appended counts as written at once.
#include <span>
#include <vector>

#include "core/event_journal.h"

namespace logbook::testing {

class OffsetJournal final : public core::EventJournal {
 public:
  explicit OffsetJournal(core::Offset last = 0) : last_(last) {}
  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override {
    for (core::Event& event : events) {
      event.offset = ++last_;
      if (event.origin_node.empty()) {
        event.origin_node = "test-node";
        event.origin_offset = event.offset;
      }
    }
    return last_;
  }
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor&) override {
    return Append(events);
  }
  core::Offset last_offset() const override { return last_; }
  absl::Status Read(core::Offset, std::size_t, std::vector<core::Event>*) const override {
    return absl::OkStatus();
  }
  core::Offset first_offset() const override { return 1; }

 private:
  core::Offset last_;
};

}  // namespace logbook::testing
