#pragma once
// The real clock, for the binary; tests use core::ManualClock.
#include <chrono>

#include "core/clock.h"

namespace logbook::app {

class SystemClock final : public core::Clock {
 public:
  core::TimestampMs NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace logbook::app
