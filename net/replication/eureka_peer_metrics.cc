#include "net/replication/eureka_peer_metrics.h"

#include <cstdint>
#include <vector>

namespace logbook::net::replication {

void EurekaPeerMetrics::Collect(MetricsTextWriter& writer) {
  const std::vector<EurekaPeerStatus> peers = push_.Statuses();
  if (peers.empty()) return;
  struct Family {
    const char* name;
    MetricType type;
    const char* help;
    std::uint64_t EurekaPeerStatus::*field;
  };
  static constexpr Family kFamilies[] = {
      {"logbook_eureka_peer_queue_length", MetricType::kGauge,
       "Items waiting to be pushed to the Eureka peer.", &EurekaPeerStatus::queue_length},
      {"logbook_eureka_peer_sent_batches_total", MetricType::kCounter,
       "Batches the Eureka peer accepted (2xx).", &EurekaPeerStatus::sent_batches},
      {"logbook_eureka_peer_sent_items_total", MetricType::kCounter,
       "Items the Eureka peer answered 2xx.", &EurekaPeerStatus::sent_items},
      {"logbook_eureka_peer_failed_items_total", MetricType::kCounter,
       "Items answered non-2xx, or in a batch the peer refused.",
       &EurekaPeerStatus::failed_items},
      {"logbook_eureka_peer_dropped_items_total", MetricType::kCounter,
       "Items dropped because the peer's queue was full (oldest heartbeats first).",
       &EurekaPeerStatus::dropped_items},
      {"logbook_eureka_peer_send_errors_total", MetricType::kCounter,
       "Batch sends that failed (network error or non-2xx answer).",
       &EurekaPeerStatus::send_errors},
      {"logbook_eureka_peer_reregistered_total", MetricType::kCounter,
       "Heartbeats answered 404, followed by a Register.", &EurekaPeerStatus::reregistered},
      {"logbook_eureka_peer_conflicts_total", MetricType::kCounter,
       "Heartbeats answered 409 (the peer holds a newer copy).", &EurekaPeerStatus::conflicts},
  };
  for (const Family& family : kFamilies) {
    writer.Family(family.name, family.type, family.help);
    for (const EurekaPeerStatus& peer : peers) {
      writer.Sample({{"peer", peer.url}}, peer.*family.field);
    }
  }
  writer.Family("logbook_eureka_peer_last_success_timestamp_seconds", MetricType::kGauge,
                "Unix time of the last batch the Eureka peer accepted; 0: never.");
  for (const EurekaPeerStatus& peer : peers) {
    writer.Sample({{"peer", peer.url}}, static_cast<double>(peer.last_success_ms) / 1000.0);
  }
}

}  // namespace logbook::net::replication
