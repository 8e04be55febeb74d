#pragma once
// Timers that turn time into events: the eviction run (eureka-protocol.md
// §6.3, decided by core::PlanEvictions and logged as EVICT events with their
// reason) and the periodic renewal-threshold update (§6.2).
//
// Thread: loop thread only.
#include <cstdint>
#include <functional>
#include <random>

#include <uv.h>

#include "core/clock.h"
#include "core/registry.h"
#include "core/self_preservation.h"
#include "net/logger.h"
#include "net/write_pipeline.h"

namespace logbook::net {

struct EvictorOptions {
  std::int64_t eviction_interval_ms = 60000;
  std::int64_t renewal_threshold_update_interval_ms = 900000;
  // Restart grace (Part A): -1 = each instance's own lease duration counted
  // from grace_start_ms; >= 0 = no eviction run before grace_start_ms + this.
  std::int64_t restart_grace_ms = -1;
  core::TimestampMs grace_start_ms = 0;  // when the node became ready
  core::SelfPreservationOptions self_preservation;
  Logger* logger = nullptr;  // null: stderr at error level; must outlive the Evictor
  // With peers, the restart grace also lasts until this returns true
  // (caught up with every peer, ARCHITECTURE.md §5); empty = no peers.
  std::function<bool()> peers_caught_up;
};

class Evictor {
 public:
  Evictor(uv_loop_t* loop, core::Registry& registry, WritePipeline& pipeline,
          const core::Clock& clock, EvictorOptions options, std::uint64_t seed);
  ~Evictor();

  void Start();
  // Closes the timers; safe to call twice.
  void Stop();

  // One eviction run now (tests, and the timer).
  void RunEviction();
  void RunThresholdUpdate();

  // Grants every lease the restart grace again from `now_ms`: after a
  // period in which clients could not renew (the disk was full and renewals
  // answered 503), a lease that ran out meanwhile says nothing about the
  // client, so it gets its full duration to come back (docs/durability.md).
  void BeginGrace(core::TimestampMs now_ms) { options_.grace_start_ms = now_ms; }

  std::uint64_t evicted_total() const { return evicted_total_; }

 private:
  uv_loop_t* loop_;
  core::Registry& registry_;
  WritePipeline& pipeline_;
  const core::Clock& clock_;
  EvictorOptions options_;
  std::mt19937_64 seeds_;
  uv_timer_t* eviction_timer_ = nullptr;
  uv_timer_t* threshold_timer_ = nullptr;
  core::TimestampMs previous_run_ms_ = 0;
  std::uint64_t evicted_total_ = 0;
};

}  // namespace logbook::net
