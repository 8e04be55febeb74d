#include "app/heap_prefault.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

namespace logbook::app {
namespace {

// Under AddressSanitizer malloc is the sanitizer's own allocator, not
// glibc's heap below the program break: nothing of ours to check there.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// Blocks far below the mmap threshold come from the heap the program break
// bounds: what the heap grows by is populated by the helper.
TEST(HeapPrefaultTest, PopulatesTheHeapAsItGrows) {
  std::unique_ptr<HeapPrefault> prefault = HeapPrefault::Start(std::size_t{8} << 20);
  if (prefault == nullptr) GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE";
  std::vector<void*> blocks;
  for (int i = 0; i < 4096; ++i) blocks.push_back(std::malloc(4096));  // 16 MiB
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (prefault->populated_bytes() < (std::size_t{16} << 20) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_GE(prefault->populated_bytes(), std::size_t{16} << 20);
  prefault.reset();
  for (void* block : blocks) std::free(block);
}

TEST(HeapPrefaultTest, TheEnvironmentTurnsItOff) {
  ASSERT_EQ(::setenv("LOGBOOK_PREFAULT_HEAP", "0", 1), 0);
  EXPECT_EQ(HeapPrefault::Start(std::size_t{1} << 20), nullptr);
  ::unsetenv("LOGBOOK_PREFAULT_HEAP");
}
#endif

}  // namespace
}  // namespace logbook::app
