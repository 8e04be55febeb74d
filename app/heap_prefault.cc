#include "app/heap_prefault.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace logbook::app {
namespace {

// glibc's default M_TOP_PAD, restored when the prefault ends.
constexpr int kDefaultTopPadBytes = 128 * 1024;

}  // namespace

std::unique_ptr<HeapPrefault> HeapPrefault::Start(std::size_t lead_bytes) {
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  const char* off = std::getenv("LOGBOOK_PREFAULT_HEAP");
  if (off != nullptr && std::strcmp(off, "0") == 0) return nullptr;
  // A kernel without MADV_POPULATE_WRITE (before 5.14) answers EINVAL.
  const long page = ::sysconf(_SC_PAGESIZE);
  void* probe = ::mmap(nullptr, static_cast<std::size_t>(page), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED) return nullptr;
  const bool supported = ::madvise(probe, static_cast<std::size_t>(page), MADV_POPULATE_WRITE) == 0;
  ::munmap(probe, static_cast<std::size_t>(page));
  if (!supported) return nullptr;
  // Read here, not on the helper: growth before the helper first runs is
  // populated too.
  const auto start = reinterpret_cast<std::uintptr_t>(::sbrk(0));
  ::mallopt(M_TOP_PAD, static_cast<int>(lead_bytes));
  auto prefault = std::unique_ptr<HeapPrefault>(new HeapPrefault());
  prefault->thread_ = std::thread([raw = prefault.get(), start] { raw->Run(start); });
  return prefault;
#else
  (void)lead_bytes;
  return nullptr;
#endif
}

void HeapPrefault::Run(std::uintptr_t start) {
#if defined(__GLIBC__) && defined(MADV_POPULATE_WRITE)
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  // The program break only grows while recovery allocates. sbrk(0) reads it
  // without moving it (a word malloc writes under its lock: a stale value
  // only delays the next stretch by one poll).
  auto done = (start + page - 1) & ~(page - 1);
  while (!stop_.load(std::memory_order_relaxed)) {
    const auto brk = reinterpret_cast<std::uintptr_t>(::sbrk(0)) & ~(page - 1);
    if (brk > done) {
      // Pages malloc already touched are skipped by the kernel; a failure
      // (ENOMEM) leaves them to be faulted in as before.
      ::madvise(reinterpret_cast<void*>(done), brk - done, MADV_POPULATE_WRITE);
      populated_.fetch_add(brk - done, std::memory_order_relaxed);
      done = brk;
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
#else
  (void)start;
#endif
}

HeapPrefault::~HeapPrefault() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
#if defined(__GLIBC__)
  ::mallopt(M_TOP_PAD, kDefaultTopPadBytes);
  // The lead malloc has not used yet would otherwise stay in the process's
  // RSS until the next trim.
  ::malloc_trim(kDefaultTopPadBytes);
#endif
}

}  // namespace logbook::app
