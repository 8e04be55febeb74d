#include "storage/snapshot_cut.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/codec_primitives.h"
#include "storage/snapshot_codec.h"

// The byte layout is docs/log-format.md, "Snapshot body"; its parts come
// from storage/snapshot_codec.h, as EncodeSnapshotBody uses them in one pass.

namespace logbook::storage {
namespace {

using codec::Encoder;

// Pieces are allocated at this capacity; a new one starts when less than
// kPieceSlack is left, so an item is very rarely encoded across a reallocation.
constexpr std::size_t kPieceBytes = std::size_t{1} << 20;
constexpr std::size_t kPieceSlack = std::size_t{64} << 10;

}  // namespace

std::size_t SnapshotBody::size() const {
  std::size_t total = 0;
  for (const std::string& piece : pieces) total += piece.size();
  return total;
}

std::string SnapshotBody::Joined() const {
  std::string joined;
  joined.reserve(size());
  for (const std::string& piece : pieces) joined.append(piece);
  return joined;
}

SnapshotCut::SnapshotCut(core::Registry& registry) : registry_(&registry) {
  body_.offset = registry.last_applied_offset();
  Encoder enc(&Piece());
  EncodeSnapshotBodyHead(registry, enc);
  apps_.reserve(registry.applications().size());
  for (const auto& [name, application] : registry.applications()) {
    apps_.push_back(AppAtCut{name, application.instances.size()});
  }
  window_end_ = registry.window_appended();
  window_first_ = window_end_ - registry.window().size();
  window_next_ = window_first_;
  registry.SetChangeObserver(this);
  registry.PinWindow(window_first_);
}

SnapshotCut::~SnapshotCut() { Detach(); }

void SnapshotCut::Detach() {
  if (registry_ == nullptr) return;
  registry_->SetChangeObserver(nullptr);
  registry_->PinWindow(std::nullopt);
  registry_ = nullptr;
}

void SnapshotCut::Abandon() {
  Detach();
  preimages_by_app_.clear();
  if (phase_ != Phase::kDone) Fail("abandoned");
}

void SnapshotCut::Fail(std::string message) {
  error_ = absl::InternalError(absl::StrCat("snapshot cut at offset ", body_.offset, ": ",
                                            codec::View(message)));
  phase_ = Phase::kDone;
  body_.pieces.clear();
  Detach();
}

std::string& SnapshotCut::Piece() {
  if (body_.pieces.empty() ||
      body_.pieces.back().capacity() - body_.pieces.back().size() < kPieceSlack) {
    body_.pieces.emplace_back().reserve(kPieceBytes);
  }
  return body_.pieces.back();
}

bool SnapshotCut::NotEncodedYet(std::string_view app, std::string_view instance_id) const {
  if (phase_ != Phase::kApps) return false;
  const auto it = std::lower_bound(
      apps_.begin() + static_cast<std::ptrdiff_t>(app_index_), apps_.end(), app,
      [](const AppAtCut& at_cut, std::string_view name) { return at_cut.name < name; });
  // Not an application at S (added since), or one already encoded.
  if (it == apps_.end() || it->name != app) return false;
  if (it != apps_.begin() + static_cast<std::ptrdiff_t>(app_index_)) return true;
  return !last_id_.has_value() || instance_id > *last_id_;
}

void SnapshotCut::Keep(std::string_view app, std::string_view instance_id,
                       std::optional<core::InstanceRecord> preimage) {
  auto app_it = preimages_by_app_.find(app);
  if (app_it == preimages_by_app_.end()) {
    app_it = preimages_by_app_.emplace(std::string(app), Preimages()).first;
  }
  // Only the first change after S: later ones would keep a newer state.
  if (app_it->second.find(instance_id) != app_it->second.end()) return;
  app_it->second.emplace(std::string(instance_id), std::move(preimage));
  ++preimages_;
}

void SnapshotCut::BeforeChange(std::string_view app, std::string_view instance_id,
                               const core::InstanceRecord& record) {
  // Tested before the record is copied: most changes during a cut are of
  // instances already encoded.
  if (NotEncodedYet(app, instance_id)) Keep(app, instance_id, record);
}

void SnapshotCut::BeforeAdd(std::string_view app, std::string_view instance_id) {
  if (NotEncodedYet(app, instance_id)) Keep(app, instance_id, std::nullopt);
}

bool SnapshotCut::EncodeSome(std::size_t max_items) {
  std::size_t done_items = 0;
  while (phase_ != Phase::kDone && done_items < max_items) {
    if (phase_ == Phase::kApps) {
      done_items += EncodeApps(max_items - done_items);
    } else {
      done_items += EncodeWindow(max_items - done_items);
    }
  }
  return phase_ == Phase::kDone;
}

std::size_t SnapshotCut::EncodeApps(std::size_t max_items) {
  if (app_index_ == apps_.size()) {
    Encoder(&Piece()).Varint(window_end_ - window_first_);
    phase_ = Phase::kWindow;
    return 0;
  }
  const AppAtCut& app = apps_[app_index_];
  if (!app_started_) {
    Encoder enc(&Piece());
    EncodeSnapshotApplicationHead(app.name, app.instances, enc);
    app_started_ = true;
    last_id_.reset();
    encoded_in_app_ = 0;
  }
  // The live instances and the pre-images after the last id encoded, merged
  // by id: a pre-image stands for the live instance of the same id (or, with
  // no value, hides one added after S).
  using LiveMap = std::map<std::string, core::InstanceRecord, std::less<>>;
  static const LiveMap kNoInstances;
  const core::Application* live_app = registry_->FindApplication(app.name);
  const LiveMap& live = live_app != nullptr ? live_app->instances : kNoInstances;
  static const Preimages kNoPreimages;
  const auto kept_it = preimages_by_app_.find(app.name);
  const Preimages& kept = kept_it != preimages_by_app_.end() ? kept_it->second : kNoPreimages;
  auto live_next = last_id_.has_value() ? live.upper_bound(*last_id_) : live.begin();
  auto kept_next = last_id_.has_value() ? kept.upper_bound(*last_id_) : kept.begin();

  std::size_t items = 0;
  while (items < max_items && (live_next != live.end() || kept_next != kept.end())) {
    const core::InstanceRecord* record = nullptr;
    const std::string* id = nullptr;
    if (kept_next != kept.end() && (live_next == live.end() || kept_next->first <= live_next->first)) {
      if (live_next != live.end() && live_next->first == kept_next->first) ++live_next;
      id = &kept_next->first;
      if (kept_next->second.has_value()) record = &*kept_next->second;
      ++kept_next;
    } else {
      id = &live_next->first;
      record = &live_next->second;
      ++live_next;
    }
    last_id_ = *id;
    ++items;
    if (record == nullptr) continue;
    Encoder enc(&Piece());
    codec::EncodeInstanceRecord(*record, enc);
    ++encoded_in_app_;
  }
  if (live_next == live.end() && kept_next == kept.end()) {
    if (encoded_in_app_ != app.instances) {
      Fail(absl::StrCat("application ", app.name, " had ", app.instances,
                        " instances at the cut but ", encoded_in_app_, " were encoded"));
      return items;
    }
    if (kept_it != preimages_by_app_.end()) preimages_by_app_.erase(kept_it);
    ++app_index_;
    app_started_ = false;
    last_id_.reset();
  }
  // An application whose instances were all added after S still counts as
  // progress, so that the loop above always ends.
  return std::max<std::size_t>(items, 1);
}

std::size_t SnapshotCut::EncodeWindow(std::size_t max_items) {
  const std::deque<core::WindowEntry>& window = registry_->window();
  const std::uint64_t live_first = registry_->window_appended() - window.size();
  // The pin keeps every entry from window_first_ on.
  if (live_first > window_next_) {
    Fail("the delta window lost entries the cut still needed");
    return 0;
  }
  std::size_t items = 0;
  while (items < max_items && window_next_ < window_end_) {
    Encoder enc(&Piece());
    EncodeSnapshotWindowEntry(window[static_cast<std::size_t>(window_next_ - live_first)], enc);
    ++window_next_;
    ++items;
  }
  if (window_next_ == window_end_) {
    phase_ = Phase::kDone;
    Detach();
  }
  return std::max<std::size_t>(items, 1);
}

SnapshotBody SnapshotCut::TakeBody() {
  SnapshotBody taken = std::move(body_);
  body_.pieces.clear();
  return taken;
}

}  // namespace logbook::storage
