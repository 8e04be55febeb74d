#include "tests/testing/counting_new/counting_new.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace logbook::testing {
namespace {

std::atomic<std::size_t> counted{0};
thread_local bool counting = false;

void* CountedAllocate(std::size_t size) {
  if (counting) counted.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  if (void* memory = std::malloc(size)) return memory;
  throw std::bad_alloc();
}

}  // namespace

void CountAllocationsOnThisThread(bool on) { counting = on; }
std::size_t CountedAllocations() { return counted.load(std::memory_order_relaxed); }
void ResetCountedAllocations() { counted.store(0, std::memory_order_relaxed); }

}  // namespace logbook::testing

using logbook::testing::CountedAllocate;

void* operator new(std::size_t size) { return CountedAllocate(size); }
void* operator new[](std::size_t size) { return CountedAllocate(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
// The nothrow forms too: left to the sanitizer's allocator they would pair its
// operator new[] with the free() above (ASan's alloc-dealloc-mismatch).
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return CountedAllocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
