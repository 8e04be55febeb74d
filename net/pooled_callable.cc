#include "net/pooled_callable.h"

#include <array>

namespace logbook::net::pooled_block {
namespace {

// Sizes are rounded up to a multiple of kGranule; larger callables than the
// last class go to the heap every time (none is on a hot path).
constexpr std::size_t kGranule = 64;
constexpr std::size_t kClasses = 8;  // up to 512 bytes
// Enough for every request in flight on a busy loop (a few thousand replies
// awaiting one group commit); beyond it blocks go back to the heap.
constexpr std::size_t kMaxFreePerClass = 4096;

struct FreeBlock {
  FreeBlock* next;
};

struct FreeLists {
  std::array<FreeBlock*, kClasses> heads{};
  std::array<std::size_t, kClasses> counts{};
  ~FreeLists();
};

// Set once this thread's lists are destroyed: a callable destroyed later in
// the thread's exit (a static's destructor) frees its block directly.
thread_local bool lists_gone = false;
thread_local FreeLists lists;

FreeLists::~FreeLists() {
  lists_gone = true;
  for (FreeBlock*& head : heads) {
    while (head != nullptr) ::operator delete(std::exchange(head, head->next));
  }
}

std::size_t ClassOf(std::size_t bytes) { return (bytes - 1) / kGranule; }

}  // namespace

void* Get(std::size_t bytes) {
  const std::size_t index = ClassOf(bytes);
  if (index >= kClasses || lists_gone) return ::operator new(bytes);
  FreeBlock*& head = lists.heads[index];
  if (head == nullptr) return ::operator new((index + 1) * kGranule);
  --lists.counts[index];
  return std::exchange(head, head->next);
}

void Put(void* block, std::size_t bytes) noexcept {
  const std::size_t index = ClassOf(bytes);
  if (index >= kClasses || lists_gone || lists.counts[index] >= kMaxFreePerClass) {
    ::operator delete(block);
    return;
  }
  ++lists.counts[index];
  lists.heads[index] = new (block) FreeBlock{lists.heads[index]};
}

}  // namespace logbook::net::pooled_block
