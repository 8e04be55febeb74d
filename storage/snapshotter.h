#pragma once
// Background snapshots (ARCHITECTURE.md §3): a thread that owns a SHADOW
// registry, restored from the newest valid snapshot (or empty), catches it up
// with the durable log and every `every_events` events or `every_ms` writes a
// snapshot of it at its offset. The live registry and the event loop are
// never touched: the loop at most calls Notify().
//
// The shadow is fed the writer's committed batches (EventLog::committed_feed),
// decoded from the bytes the writer wrote; whatever the feed did not keep (a
// commit before Start, or while the thread was too far behind) is read from
// the log (EventLog::Read) by offset. Either way it applies exactly the
// committed events, each once, in offset order.
//
// Thread: Start/Stop from the owner's thread; Notify and stats from any.
// The EventLog must outlive Stop().
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "core/registry.h"
#include "storage/committed_feed.h"
#include "storage/event_log.h"
#include "storage/snapshot_store.h"

namespace logbook::storage {

struct SnapshotterOptions {
  core::RegistryOptions registry;
  std::uint64_t every_events = 100000;
  std::int64_t every_ms = 600000;
  int keep = kDefaultSnapshotsKept;
  // How often the thread looks at the durable offset without a Notify().
  std::int64_t poll_ms = 100;
  // Events read from the log per batch.
  std::size_t read_batch = 4096;
};

struct SnapshotterStats {
  std::uint64_t snapshots_written = 0;
  // True from the start of encoding until the write returned.
  bool in_progress = false;
  std::uint64_t snapshots_started = 0;
  core::Offset last_snapshot_offset = core::kNoOffset;
  std::uint64_t last_snapshot_bytes = 0;
  std::int64_t last_encode_ms = 0;  // encoding + compression
  std::int64_t last_write_ms = 0;   // the RocksDB write
  core::Offset shadow_offset = core::kNoOffset;
  absl::Status last_error;  // of the last failed restore, read or write
  // Events applied to the shadow from the writer's feed, and read back from
  // the log instead.
  std::uint64_t events_from_feed = 0;
  std::uint64_t events_from_log = 0;
};

// Called on the snapshotter thread after each snapshot written or failure.
using SnapshotListener = std::function<void(const SnapshotterStats&)>;

class Snapshotter {
 public:
  Snapshotter(EventLog& log, SnapshotterOptions options, SnapshotListener listener = nullptr);
  ~Snapshotter();  // Stop(false)
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  void Start();
  // Wakes the thread to look at the durable offset now.
  void Notify();
  // Joins the thread. With `final_snapshot`, it first catches up with the
  // durable log and snapshots it if anything happened since the last one.
  // Idempotent.
  void Stop(bool final_snapshot = false);

  SnapshotterStats stats() const;

 private:
  void Run();
  // Restores the shadow; false (with stats.last_error) if RocksDB failed.
  bool Restore();
  // Applies what the feed holds, then, when the feed was empty or with
  // `through_durable`, reads what the shadow still lacks of the durable log;
  // false on a read or decode error.
  bool CatchUp(bool through_durable);
  // Reads events after the shadow's offset through `through` from the log.
  bool ReadFromLog(core::Offset through);
  // Applies the events of a committed chunk the shadow does not have yet,
  // after reading any gap before them from the log.
  bool ApplyChunk(const CommittedChunk& chunk);
  // Applies one event and snapshots when one is due.
  void ApplyEvent(const core::Event& event);
  bool stopping_without_snapshot() const;
  void TakeSnapshot();

  EventLog& log_;
  SnapshotStore store_;
  const SnapshotterOptions options_;
  SnapshotListener listener_;
  std::unique_ptr<core::Registry> shadow_;  // snapshotter thread only
  std::int64_t last_snapshot_steady_ms_ = 0;  // snapshotter thread only
  // Snapshotter thread only: kept to reuse their capacity.
  std::vector<CommittedChunk> chunks_;
  std::vector<core::Event> read_events_;
  core::Event decoded_;
  std::uint64_t applied_from_feed_ = 0;
  std::uint64_t applied_from_log_ = 0;
  // stats_.last_snapshot_offset, read per event without taking mu_.
  core::Offset last_snapshot_offset_ = core::kNoOffset;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool notified_ = false;       // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  bool final_snapshot_ = false;  // guarded by mu_
  SnapshotterStats stats_;      // guarded by mu_
  std::thread thread_;
};

}  // namespace logbook::storage
