#pragma once
// /metrics for the pushes to stock Eureka peers: logbook_eureka_peer_*, one
// series per peer URL (label "peer").
//
// Thread: Collect() on the loop thread (the pushers' status is copied under
// their locks).
#include "net/metrics.h"
#include "net/replication/eureka_push.h"

namespace logbook::net::replication {

class EurekaPeerMetrics : public MetricsCollector {
 public:
  // `push` must outlive this collector.
  explicit EurekaPeerMetrics(const EurekaPush& push) : push_(push) {}
  void Collect(MetricsTextWriter& writer) override;

 private:
  const EurekaPush& push_;
};

}  // namespace logbook::net::replication
