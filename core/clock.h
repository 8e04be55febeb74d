#pragma once
// Time as an input: core reads no clock. The evictor and handlers hold a Clock&.
#include "core/ids.h"

namespace logbook::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() const = 0;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampMs now_ms = 0) : now_ms_(now_ms) {}
  TimestampMs NowMs() const override { return now_ms_; }
  void Set(TimestampMs now_ms) { now_ms_ = now_ms; }
  void Advance(TimestampMs delta_ms) { now_ms_ += delta_ms; }

 private:
  TimestampMs now_ms_;
};

}  // namespace logbook::core
