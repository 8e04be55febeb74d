#pragma once
// Background snapshot writes (ARCHITECTURE.md §3): the loop cuts the live
// registry into a body (storage/snapshot_cut.h, app/snapshot_scheduler.h) and
// hands it over once the events through its offset are durable; this thread
// compresses it, writes it with SnapshotStore (which keeps the newest few)
// and reports to the listener. The loop never waits for it.
//
// Thread: Start/Stop from the owner's thread; CutStarted, CutFailed, Submit,
// idle and stats from any (the loop in practice). The database must outlive
// Stop().
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "storage/db.h"
#include "storage/snapshot_cut.h"
#include "storage/snapshot_store.h"

namespace logbook::storage {

struct SnapshotterOptions {
  int keep = kDefaultSnapshotsKept;
};

struct SnapshotterStats {
  std::uint64_t snapshots_written = 0;
  // True from the start of a cut until its write returned (or it failed).
  bool in_progress = false;
  std::uint64_t snapshots_started = 0;
  core::Offset last_snapshot_offset = core::kNoOffset;
  std::uint64_t last_snapshot_bytes = 0;
  std::int64_t last_encode_ms = 0;  // the cut (loop time between slices included) + compression
  std::int64_t last_write_ms = 0;   // the RocksDB write
  absl::Status last_error;          // of the last failed cut or write
};

// Called on the snapshotter thread after each snapshot written or failed.
using SnapshotListener = std::function<void(const SnapshotterStats&)>;

class Snapshotter {
 public:
  // `last_snapshot_offset`: the newest snapshot already stored (recovery's).
  Snapshotter(Db& db, core::Offset last_snapshot_offset, SnapshotterOptions options = {},
              SnapshotListener listener = nullptr);
  ~Snapshotter();  // Stop()
  Snapshotter(const Snapshotter&) = delete;
  Snapshotter& operator=(const Snapshotter&) = delete;

  void Start();
  // Writes what was submitted, then joins the thread. Idempotent.
  void Stop();

  // A cut began (stats show a snapshot in progress from here).
  void CutStarted();
  // The cut failed or was abandoned; `error` is reported unless it is OK.
  void CutFailed(const absl::Status& error);
  // A finished body, durable through its offset, to compress and write;
  // `cut_ms`: how long the cut took. Queued behind one still being written.
  void Submit(SnapshotBody body, std::int64_t cut_ms);
  // No body waiting or being written: the loop may start the next cut.
  bool idle() const;

  SnapshotterStats stats() const;

 private:
  struct Job {
    SnapshotBody body;
    std::int64_t cut_ms = 0;
  };
  void Run();
  void Write(Job job);
  void Report();

  SnapshotStore store_;
  SnapshotListener listener_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;     // guarded by mu_
  bool writing_ = false;     // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  SnapshotterStats stats_;   // guarded by mu_
  std::thread thread_;
};

}  // namespace logbook::storage
