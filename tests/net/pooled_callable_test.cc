// Pooled<F>: a callable behind one pointer, its block reused per thread, so
// an AnyInvocable holds it inline and steady wrapping allocates nothing.
#include "net/pooled_callable.h"

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "gtest/gtest.h"
#include "tests/testing/counting_new/counting_new.h"

namespace logbook::net {
namespace {

// Bigger than AnyInvocable's inline storage, like an observed Responder.
struct Wrapper {
  std::array<char, 100> payload{};
  std::shared_ptr<int> calls;
  void operator()(int add) && { *calls += add; }
};

using Callback = absl::AnyInvocable<void(int) &&>;

TEST(Pooled, CallsAndDestroysTheCallableOnce) {
  auto calls = std::make_shared<int>(0);
  {
    Callback callback(Pooled<Wrapper>(Wrapper{{}, calls}));
    Callback moved = std::move(callback);
    std::move(moved)(5);
    EXPECT_EQ(*calls, 5);
    EXPECT_EQ(calls.use_count(), 2) << "alive until the AnyInvocable goes";
  }
  EXPECT_EQ(calls.use_count(), 1) << "destroyed exactly once";
}

TEST(Pooled, SteadyWrappingAllocatesNothing) {
  auto calls = std::make_shared<int>(0);
  for (int i = 0; i < 4; ++i) Callback(Pooled<Wrapper>(Wrapper{{}, calls}));  // warm the list
  logbook::testing::ResetCountedAllocations();
  logbook::testing::CountAllocationsOnThisThread(true);
  {
    // The counter sees this thread (else the bound below holds vacuously).
    const auto sanity = std::make_unique<std::string>(100, 'x');
  }
  const std::size_t sanity = logbook::testing::CountedAllocations();
  for (int i = 0; i < 100; ++i) {
    Callback callback(Pooled<Wrapper>(Wrapper{{}, calls}));
    std::move(callback)(1);
  }
  logbook::testing::CountAllocationsOnThisThread(false);
  ASSERT_GE(sanity, 1u);
  EXPECT_EQ(logbook::testing::CountedAllocations(), sanity);
  EXPECT_EQ(*calls, 100);
}

TEST(Pooled, CallablesTooBigForTheListsStillWork) {
  struct Huge {
    std::array<char, 4096> bytes{};
    std::string* out;
    void operator()() && { out->assign("called"); }
  };
  std::string out;
  absl::AnyInvocable<void() &&> callback(Pooled<Huge>(Huge{{}, &out}));
  std::move(callback)();
  EXPECT_EQ(out, "called");
}

}  // namespace
}  // namespace logbook::net
