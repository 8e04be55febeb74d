#pragma once
// Replication in /metrics: one series per peer (label `peer`, the URL as
// given in --peers) for the state, the cursor, the lag and what was pulled,
// read from the pullers' status at scrape time (docs/replication.md,
// "Visibility").
//
// Thread: Collect() on the loop thread; `statuses` must be callable there.
#include <functional>
#include <vector>

#include "net/metrics.h"
#include "net/replication/peer_status.h"

namespace logbook::net::replication {

class PeerMetrics final : public MetricsCollector {
 public:
  explicit PeerMetrics(std::function<std::vector<PeerStatus>()> statuses)
      : statuses_(std::move(statuses)) {}

  void Collect(MetricsTextWriter& writer) override;

 private:
  std::function<std::vector<PeerStatus>()> statuses_;
};

}  // namespace logbook::net::replication
