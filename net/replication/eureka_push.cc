#include "net/replication/eureka_push.h"

#include <utility>

#include "core/status.h"

namespace logbook::net::replication {

absl::StatusOr<std::unique_ptr<EurekaPush>> EurekaPush::Create(
    const std::vector<std::string>& peer_urls, EurekaPushOptions options,
    core::Registry& registry, WritePipeline& pipeline, LoopMailbox& mailbox,
    std::function<core::DecideContext()> decide_context) {
  std::unique_ptr<EurekaPush> push(
      new EurekaPush(registry, pipeline, std::move(decide_context)));
  for (std::size_t i = 0; i < peer_urls.size(); ++i) {
    EurekaPush* self = push.get();
    std::shared_ptr<bool> alive = push->alive_;
    absl::StatusOr<std::unique_ptr<EurekaPeerPusher>> pusher = EurekaPeerPusher::Create(
        peer_urls[i], options, [self, alive, &mailbox, i](EurekaPushFeedback feedback) {
          // Pusher thread: the registry is the loop's.
          mailbox.Post([self, alive, i, feedback = std::move(feedback)]() mutable {
            if (*alive) self->OnFeedback(i, std::move(feedback));
          });
        });
    if (!pusher.ok()) return pusher.status();
    push->pushers_.push_back(*std::move(pusher));
  }
  return push;
}

EurekaPush::EurekaPush(core::Registry& registry, WritePipeline& pipeline,
                       std::function<core::DecideContext()> decide_context)
    : registry_(registry),
      pipeline_(pipeline),
      decide_context_(std::move(decide_context)) {}

EurekaPush::~EurekaPush() { Stop(); }

void EurekaPush::Start() {
  pipeline_.AddAppliedListener([this](const core::Event& event) { OnApplied(event); });
  for (const auto& pusher : pushers_) pusher->Start();
}

void EurekaPush::Stop() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  for (const auto& pusher : pushers_) pusher->Stop();
  pending_.clear();
}

std::vector<EurekaPeerStatus> EurekaPush::Statuses() const {
  std::vector<EurekaPeerStatus> statuses;
  statuses.reserve(pushers_.size());
  for (const auto& pusher : pushers_) statuses.push_back(pusher->Status());
  return statuses;
}

std::optional<eureka::OutgoingReplicationItem> EurekaPush::RegisterItem(
    std::string_view app, std::string_view id) const {
  const core::InstanceRecord* record = registry_.Find(app, id);
  if (record == nullptr) return std::nullopt;
  eureka::OutgoingReplicationItem item;
  item.action = "Register";
  item.app_name = std::string(app);
  item.id = std::string(id);
  item.last_dirty_timestamp = record->info.last_dirty_timestamp;
  item.status = record->info.status;
  item.instance = *record;
  return item;
}

std::optional<eureka::OutgoingReplicationItem> EurekaPush::ItemFor(
    const core::Event& event) const {
  // Only what a client asked of this node: replicated writes stay where
  // they came from (no loops), evictions are every node's own (§7.2).
  if (event.source != core::EventSource::kClient) return std::nullopt;
  const core::InstanceRecord* record = registry_.Find(event.app, event.instance_id);
  eureka::OutgoingReplicationItem item;
  item.app_name = event.app;
  item.id = event.instance_id;
  switch (event.type) {
    case core::EventType::kRegister:
    case core::EventType::kMetadataUpdate:  // a metadata update is a re-register (E6)
      return RegisterItem(event.app, event.instance_id);
    case core::EventType::kRenew:
      if (record == nullptr) return std::nullopt;
      item.action = "Heartbeat";
      item.last_dirty_timestamp = record->info.last_dirty_timestamp;
      item.status = record->info.status;
      item.overridden_status = registry_.OverrideFor(event.instance_id);
      return item;
    case core::EventType::kCancel:
      item.action = "Cancel";
      return item;
    case core::EventType::kStatusUpdate:
      if (record == nullptr) return std::nullopt;
      item.action = "StatusUpdate";
      item.last_dirty_timestamp = record->info.last_dirty_timestamp;
      // The receiver stores `status` as the override (E14).
      item.status = event.status;
      item.overridden_status = event.status;
      return item;
    case core::EventType::kDeleteStatusOverride:
      if (record == nullptr) return std::nullopt;
      item.action = "DeleteStatusOverride";
      item.last_dirty_timestamp = record->info.last_dirty_timestamp;
      item.status = record->info.status;
      return item;
    case core::EventType::kEvict:
    case core::EventType::kRenewalThresholdUpdate:
    case core::EventType::kInstanceSet:  // a merge's result, never a client's write
      return std::nullopt;
  }
  return std::nullopt;
}

void EurekaPush::OnApplied(const core::Event& event) {
  if (stopped_ || pushers_.empty()) return;
  std::optional<eureka::OutgoingReplicationItem> item = ItemFor(event);
  if (!item.has_value()) return;
  pending_.push_back(Pending{event.offset, *std::move(item)});
  WaitForDurable();
}

void EurekaPush::ReleaseDurable() {
  const core::Offset durable = pipeline_.durable_offset();
  std::size_t ready = 0;
  while (ready < pending_.size() && pending_[ready].offset <= durable) ++ready;
  if (ready > 0) {
    for (const auto& pusher : pushers_) {
      std::vector<eureka::OutgoingReplicationItem> items;
      items.reserve(ready);
      for (std::size_t i = 0; i < ready; ++i) items.push_back(pending_[i].item);
      pusher->Enqueue(std::move(items));
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(ready));
  }
  WaitForDurable();
}

void EurekaPush::WaitForDurable() {
  if (pending_.empty() || waiting_for_durable_) return;
  waiting_for_durable_ = true;
  pipeline_.AfterDurable([this, alive = alive_](absl::Status status) {
    if (!*alive) return;
    waiting_for_durable_ = false;
    // A failed log stops the node; nothing of what is pending was acknowledged.
    if (!status.ok()) return pending_.clear();
    ReleaseDurable();
  });
}

void EurekaPush::OnFeedback(std::size_t peer, EurekaPushFeedback feedback) {
  if (stopped_) return;
  if (feedback.kind == EurekaPushFeedback::Kind::kMissing) {
    // The peer lacks the instance (it restarted empty, or missed the
    // register): send it our current copy, as Eureka does.
    if (std::optional<eureka::OutgoingReplicationItem> item =
            RegisterItem(feedback.app_name, feedback.id)) {
      std::vector<eureka::OutgoingReplicationItem> items;
      items.push_back(*std::move(item));
      pushers_[peer]->Enqueue(std::move(items));
    }
    return;
  }
  // 409: the peer holds a newer copy. Adopt it only if it is still newer
  // than ours now; as a replicated register it is not pushed back.
  if (!feedback.peer_instance.has_value() || !pipeline_.accepting_writes()) return;
  const core::InstanceRecord* record = registry_.Find(feedback.app_name, feedback.id);
  if (record == nullptr ||
      feedback.peer_instance->last_dirty_timestamp <= record->info.last_dirty_timestamp) {
    return;
  }
  core::DecideContext context = decide_context_();
  context.source = core::EventSource::kEurekaPeer;
  core::RegisterCommand command{*std::move(feedback.peer_instance), /*is_replication=*/true};
  core::Decision decision = core::DecideRegister(registry_, command, context);
  if (decision.outcome != core::Outcome::kOk || decision.events.empty()) return;
  pipeline_.Commit(std::move(decision.events), [](absl::Status) {});
}

}  // namespace logbook::net::replication
