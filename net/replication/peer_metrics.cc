#include "net/replication/peer_metrics.h"

#include <array>
#include <string_view>

namespace logbook::net::replication {
namespace {

// Every state a puller can be in, so each peer has one series per state
// (1 for the current one): alerts can match a state without knowing the rest.
constexpr std::array<std::string_view, 7> kStates = {
    "connecting", "streaming",      "waiting", "backoff",
    "merging_snapshot", "needs_snapshot", "stopped"};

}  // namespace

void PeerMetrics::Collect(MetricsTextWriter& writer) {
  const std::vector<PeerStatus> peers = statuses_();
  if (peers.empty()) return;
  writer.Family("logbook_peer_state", MetricType::kGauge,
                "1 for the state the puller of this peer is in, 0 for the others.");
  for (const PeerStatus& peer : peers) {
    for (std::string_view state : kStates) {
      writer.Sample({{"peer", peer.url}, {"state", state}},
                    std::int64_t{peer.state == state ? 1 : 0});
    }
  }
  writer.Family("logbook_peer_cursor_offset", MetricType::kGauge,
                "Next offset of the peer's log to pull (everything it originated below it is "
                "appended here).");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.cursor);
  writer.Family("logbook_peer_durable_offset", MetricType::kGauge,
                "The peer's durable offset, as it last answered.");
  for (const PeerStatus& peer : peers) {
    writer.Sample({{"peer", peer.url}}, peer.peer_durable_offset);
  }
  writer.Family("logbook_peer_lag_events", MetricType::kGauge,
                "Offsets of the peer's log not pulled yet (0 when caught up).");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.lag_events);
  writer.Family("logbook_peer_lag_seconds", MetricType::kGauge,
                "Time since the puller of this peer was last caught up (0 when it is).");
  for (const PeerStatus& peer : peers) {
    writer.Sample({{"peer", peer.url}}, static_cast<double>(peer.lag_ms) / 1000);
  }
  writer.Family("logbook_peer_events_pulled_total", MetricType::kCounter,
                "Events pulled from the peer and appended here.");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.events);
  writer.Family("logbook_peer_bytes_pulled_total", MetricType::kCounter,
                "Bytes of replication answers received from the peer.");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.bytes);
  writer.Family("logbook_peer_batches_pulled_total", MetricType::kCounter,
                "Non-empty batches pulled from the peer and made durable here.");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.batches);
  writer.Family("logbook_peer_errors_total", MetricType::kCounter,
                "Failed pulls from the peer (unreachable, timed out, bad answer or batch); each "
                "retry counts.");
  for (const PeerStatus& peer : peers) writer.Sample({{"peer", peer.url}}, peer.errors);
  writer.Family("logbook_peer_last_error_timestamp_seconds", MetricType::kGauge,
                "Unix time of the last failed pull from the peer (absent before the first).");
  for (const PeerStatus& peer : peers) {
    if (peer.last_error_unix_ms == 0) continue;
    writer.Sample({{"peer", peer.url}}, static_cast<double>(peer.last_error_unix_ms) / 1000);
  }
}

}  // namespace logbook::net::replication
