#include "net/replication/replicator.h"

#include <utility>

#include "core/status.h"
#include "net/url_credentials.h"

namespace logbook::net::replication {

Replicator::Replicator(std::map<std::string, core::PeerCursor> cursors, WritePipeline& pipeline,
                       std::string self)
    : cursors_(std::move(cursors)), applier_(pipeline, cursors_, std::move(self)) {}

Replicator::~Replicator() { Stop(); }

absl::StatusOr<std::unique_ptr<Replicator>> Replicator::Create(
    ReplicatorOptions options, std::string self,
    std::map<std::string, core::PeerCursor> initial_cursors, LoopMailbox& mailbox,
    WritePipeline& pipeline, const core::EventCodec& codec, std::uint64_t seed) {
  std::unique_ptr<Replicator> replicator(
      new Replicator(std::move(initial_cursors), pipeline, self));
  if (options.merge.enabled()) {
    replicator->merger_ = std::make_unique<SnapshotMerger>(
        options.merge, mailbox, pipeline, replicator->cursors_, options.merge_options);
  }
  for (const std::string& url : options.peer_urls) {
    ASSIGN_OR_RETURN(PeerAddress address, ParsePeerUrl(url, options.default_authorization));
    // The puller shows its URL in status and logs: never the password.
    replicator->pullers_.push_back(std::make_unique<PeerPuller>(
        MaskUrlPassword(url), std::move(address), self, options.puller, mailbox, replicator->applier_,
        replicator->cursors_, codec, seed + replicator->pullers_.size(),
        replicator->merger_.get()));
  }
  return replicator;
}

void Replicator::Start() {
  for (auto& puller : pullers_) puller->Start();
}

void Replicator::Stop() {
  for (auto& puller : pullers_) puller->Stop();
  applier_.Stop();
}

std::vector<PeerStatus> Replicator::Statuses() const {
  std::vector<PeerStatus> statuses;
  statuses.reserve(pullers_.size());
  for (const auto& puller : pullers_) statuses.push_back(puller->Status());
  return statuses;
}

bool Replicator::CaughtUp() const {
  for (const auto& puller : pullers_) {
    const PeerStatus status = puller->Status();
    // A peer being merged is reachable: its leases arrive with the merge.
    if (!status.caught_up_once &&
        (status.state == "connecting" || status.state == "streaming" ||
         status.state == "waiting" || status.state == "merging_snapshot")) {
      return false;
    }
  }
  return true;
}

}  // namespace logbook::net::replication
