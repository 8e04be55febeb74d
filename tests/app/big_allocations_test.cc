#include "app/big_allocations.h"

#include <gtest/gtest.h>

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace logbook::app {
namespace {

// Under AddressSanitizer malloc is the sanitizer's own allocator: glibc's
// threshold and its mallinfo2 counters do not describe it, so there is
// nothing of ours to check in that build.
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
// Kept out of the optimiser's reach: a malloc/free pair it can see may go.
void* volatile sink = nullptr;

std::size_t MappedBlocks() { return mallinfo2().hblks; }

// glibc's default threshold rises to the size of every mapped block freed,
// so after a 4 MiB block comes and goes a 2 MiB one would come from the heap
// (and stay resident once freed). With the fixed threshold it is mapped.
TEST(BigAllocationsTest, BlocksOfAMebibyteAndMoreStayMappedAfterABiggerOneIsFreed) {
  MapBigAllocationsSeparately();
  sink = std::malloc(4 << 20);
  std::free(sink);
  const std::size_t before = MappedBlocks();
  sink = std::malloc(2 << 20);
  EXPECT_EQ(MappedBlocks(), before + 1);
  std::free(sink);
  EXPECT_EQ(MappedBlocks(), before);
}
#endif

}  // namespace
}  // namespace logbook::app
