#pragma once
// A snapshot of the live registry as of one offset S, encoded on the
// registry's own thread in short slices while the registry goes on changing
// (ARCHITECTURE.md §3: "from an immutable copy, never blocking the loop").
// The copy is copy-on-write: attached as the registry's change observer, the
// cut copies an instance it has not encoded yet just before its first change
// after S (or notes that it was added after S), and pins the delta window's
// entries of S until it has encoded them. Nothing else is copied, so a cut
// costs memory only for what changes while it runs, instead of a second
// registry kept in step with the log all the time.
//
// The body is byte for byte EncodeSnapshotBody() of the registry at S
// (tests/storage/snapshot_cut_test.cc checks it against a copy taken at S).
//
// Thread: the registry's thread; the finished body may then move anywhere.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/registry.h"

namespace logbook::storage {

// An encoded snapshot body in pieces, each allocated at its full size once
// (no reallocation of tens of megabytes on the loop; pieces of a mebibyte or
// more are mapped blocks that go back to the OS when freed).
struct SnapshotBody {
  core::Offset offset = core::kNoOffset;
  std::vector<std::string> pieces;
  std::size_t size() const;
  // The pieces joined (for the compressor, which wants one buffer).
  std::string Joined() const;
};

class SnapshotCut final : public core::InstanceChangeObserver {
 public:
  // Cuts `registry` at its last applied offset: encodes the counters, the
  // overrides and the application list at once (small next to the
  // instances), then attaches. The registry must outlive the cut or
  // Abandon() must be called before it goes or is replaced.
  explicit SnapshotCut(core::Registry& registry);
  ~SnapshotCut() override;
  SnapshotCut(const SnapshotCut&) = delete;
  SnapshotCut& operator=(const SnapshotCut&) = delete;

  core::Offset offset() const { return body_.offset; }
  // Encodes up to `max_items` instances or window entries; true once the
  // whole body is encoded (the cut has then detached) or it failed.
  bool EncodeSome(std::size_t max_items);
  bool done() const { return phase_ == Phase::kDone; }
  // Set when the cut found the registry inconsistent with what it recorded
  // at S (a bug): the body must not be written.
  const absl::Status& error() const { return error_; }
  // The body once done() and error() is OK; empties the cut.
  SnapshotBody TakeBody();
  // Detaches without finishing: the registry is about to be replaced.
  void Abandon();

  // Instances copied (or noted as added) because they changed before being
  // encoded: the memory this cut costs.
  std::size_t preimages() const { return preimages_; }

  void BeforeChange(std::string_view app, std::string_view instance_id,
                    const core::InstanceRecord& record) override;
  void BeforeAdd(std::string_view app, std::string_view instance_id) override;

 private:
  enum class Phase { kApps, kWindow, kDone };
  struct AppAtCut {
    std::string name;
    std::size_t instances = 0;
  };
  // Pre-images by app, then instance id; nullopt: added after S.
  using Preimages = std::map<std::string, std::optional<core::InstanceRecord>, std::less<>>;

  // Whether the instance (app, id) is still to be encoded.
  bool NotEncodedYet(std::string_view app, std::string_view instance_id) const;
  // Keeps the state at S of an instance still to be encoded, unless kept already.
  void Keep(std::string_view app, std::string_view instance_id,
            std::optional<core::InstanceRecord> preimage);
  // The piece to append the next item to.
  std::string& Piece();
  std::size_t EncodeApps(std::size_t max_items);
  std::size_t EncodeWindow(std::size_t max_items);
  void Fail(std::string message);
  void Detach();

  core::Registry* registry_;
  SnapshotBody body_;
  Phase phase_ = Phase::kApps;
  absl::Status error_;
  std::vector<AppAtCut> apps_;  // at S, sorted by name
  std::map<std::string, Preimages, std::less<>> preimages_by_app_;
  std::size_t preimages_ = 0;
  // Progress through apps_: the app being encoded, whether its header is
  // out, the last instance id encoded in it and how many so far.
  std::size_t app_index_ = 0;
  bool app_started_ = false;
  std::optional<std::string> last_id_;
  std::size_t encoded_in_app_ = 0;
  // The window at S: entries [window_first_, window_end_) by append count.
  std::uint64_t window_first_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t window_next_ = 0;
};

}  // namespace logbook::storage
