#include "app/big_allocations.h"

// Any libc header defines __GLIBC__; without one before the test below the
// function compiled to nothing (the threshold was never set).
#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace logbook::app {

void MapBigAllocationsSeparately() {
#if defined(__GLIBC__)
  // Setting it also turns off the dynamic threshold. Big enough that the
  // mmap and munmap of such a block cost little next to filling it.
  constexpr int kThresholdBytes = 1 << 20;
  ::mallopt(M_MMAP_THRESHOLD, kThresholdBytes);
#endif
}

}  // namespace logbook::app
