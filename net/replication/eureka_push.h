#pragma once
// Interop with stock Eureka peers (--eureka-peers; docs/replication.md,
// "Mixed clusters"): turns every write a client made on this node into the
// item Eureka's PeerEurekaNode would replicate (eureka-protocol.md §7.2) and
// hands it, once durable, to one EurekaPeerPusher per peer. Writes that came
// by replication (Eureka's or a Logbook peer's), evictions and timers are not
// pushed: the origin is the event's source, so nothing loops back.
//
// Per-item answers: a heartbeat answered 404 queues a Register of the current
// copy for that peer (as Eureka); a heartbeat answered 409 adopts the peer's
// copy when its lastDirtyTimestamp is newer than ours, as a replicated
// register (as Eureka with syncWhenTimestampDiffers), so it is not pushed
// back.
//
// Thread: everything but Statuses() on the loop thread; pushers send on
// their own threads and come back through the mailbox.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/decide.h"
#include "core/event.h"
#include "core/registry.h"
#include "net/loop_mailbox.h"
#include "net/replication/eureka_peer_pusher.h"
#include "net/write_pipeline.h"

namespace logbook::net::replication {

class EurekaPush {
 public:
  // InvalidArgument naming a URL that cannot be pushed to. `decide_context`
  // gives the context for adopting a peer's copy (now, lease expiry) at the
  // time of the call. Everything by reference must outlive the object.
  static absl::StatusOr<std::unique_ptr<EurekaPush>> Create(
      const std::vector<std::string>& peer_urls, EurekaPushOptions options,
      core::Registry& registry, WritePipeline& pipeline, LoopMailbox& mailbox,
      std::function<core::DecideContext()> decide_context);
  ~EurekaPush();

  // Listens to the pipeline's applied events and starts the pushers.
  void Start();
  // Joins the pushers; later feedback and durable callbacks are ignored.
  // Idempotent.
  void Stop();

  std::vector<EurekaPeerStatus> Statuses() const;

 private:
  struct Pending {
    core::Offset offset;
    eureka::OutgoingReplicationItem item;
  };
  EurekaPush(core::Registry& registry, WritePipeline& pipeline,
             std::function<core::DecideContext()> decide_context);
  void OnApplied(const core::Event& event);
  // The item §7.2 replicates for `event`, from the registry as it is now
  // (right after the event was applied); none for what is not pushed.
  std::optional<eureka::OutgoingReplicationItem> ItemFor(const core::Event& event) const;
  std::optional<eureka::OutgoingReplicationItem> RegisterItem(std::string_view app,
                                                              std::string_view id) const;
  // Hands the durable prefix of pending_ to every pusher.
  void ReleaseDurable();
  // Asks the pipeline to call ReleaseDurable() once what is pending is
  // durable (one request at a time).
  void WaitForDurable();
  void OnFeedback(std::size_t peer, EurekaPushFeedback feedback);

  core::Registry& registry_;
  WritePipeline& pipeline_;
  std::function<core::DecideContext()> decide_context_;
  std::vector<std::unique_ptr<EurekaPeerPusher>> pushers_;
  // Applied but not yet durable, ascending offsets: a peer never sees a
  // write that a failed sync could still take back.
  std::vector<Pending> pending_;
  bool waiting_for_durable_ = false;
  bool stopped_ = false;
  // Shared with posted feedback tasks: false once Stop() ran.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace logbook::net::replication
