#pragma once
// Restart time at scale (bench/restart_scale.sh): recovery fills ~100 MB of
// new heap at 100,000 instances, and on this kind of VM the kernel's zeroing
// of each new page (clear_page_erms) was a third of the main thread's
// samples while it decoded the snapshot. While a HeapPrefault lives, malloc
// grows the heap `lead_bytes` ahead of its needs (M_TOP_PAD) and a helper
// thread faults each new stretch in with MADV_POPULATE_WRITE, which writes
// nothing (so it is safe under malloc's feet): the zeroing moves to the other
// core. LOGBOOK_PREFAULT_HEAP=0 in the environment turns it off.
//
// Thread: created and destroyed on the main thread; the helper only reads
// the program break and calls madvise.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>

namespace logbook::app {

class HeapPrefault {
 public:
  // Null when turned off or unsupported (not glibc, no MADV_POPULATE_WRITE).
  static std::unique_ptr<HeapPrefault> Start(std::size_t lead_bytes);
  // Stops the helper and gives back the populated heap malloc has not used.
  ~HeapPrefault();

  HeapPrefault(const HeapPrefault&) = delete;
  HeapPrefault& operator=(const HeapPrefault&) = delete;

  // Bytes the helper populated, for the startup line.
  std::size_t populated_bytes() const { return populated_.load(std::memory_order_relaxed); }

 private:
  HeapPrefault() = default;
  // Populates the heap from `start` (the program break when it began) on.
  void Run(std::uintptr_t start);

  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> populated_{0};
  std::thread thread_;
};

}  // namespace logbook::app
