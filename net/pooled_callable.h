#pragma once
// A callable kept in a block reused from a per-thread free list, behind one
// pointer. absl::AnyInvocable holds only 16 bytes inline, so a callable that
// wraps another AnyInvocable (an observed Responder, a reply awaiting its
// durable write) would cost a malloc and a free per request; Pooled<F> fits
// inline, and its block comes from the list of the thread that last freed one
// of its size. Blocks are plain operator new blocks: one freed on another
// thread joins that thread's list.
//
// Thread: any; each thread has its own lists, freed when it exits.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace logbook::net {

namespace pooled_block {
// A block of at least `bytes` (bytes > 0), aligned as operator new aligns.
void* Get(std::size_t bytes);
// Returns a block from Get(bytes) of the same `bytes`.
void Put(void* block, std::size_t bytes) noexcept;
}  // namespace pooled_block

template <typename F>
class Pooled {
  static_assert(alignof(F) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

 public:
  explicit Pooled(F callable) : callable_(new (pooled_block::Get(sizeof(F))) F(std::move(callable))) {}
  Pooled(Pooled&& other) noexcept : callable_(std::exchange(other.callable_, nullptr)) {}
  Pooled& operator=(Pooled&&) = delete;
  Pooled(const Pooled&) = delete;
  Pooled& operator=(const Pooled&) = delete;
  ~Pooled() {
    if (callable_ == nullptr) return;
    callable_->~F();
    pooled_block::Put(callable_, sizeof(F));
  }

  template <typename... Args>
  decltype(auto) operator()(Args&&... args) && {
    return std::move(*callable_)(std::forward<Args>(args)...);
  }

 private:
  F* callable_;
};

}  // namespace logbook::net
