// LoopMailbox: tasks posted from any thread run on the loop thread, in order.
#include "net/loop_mailbox.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace logbook::net {
namespace {

TEST(LoopMailbox, TasksFromAnotherThreadRunOnTheLoopThreadInOrder) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  auto mailbox = std::make_unique<LoopMailbox>(&loop);
  std::thread::id loop_thread = std::this_thread::get_id();
  std::vector<int> order;  // loop thread only
  bool all_on_loop = true;
  constexpr int kTasks = 1000;
  std::thread poster([&] {
    for (int i = 0; i < kTasks; ++i) {
      ASSERT_TRUE(mailbox->Post([&, i] {
        all_on_loop = all_on_loop && std::this_thread::get_id() == loop_thread;
        order.push_back(i);
        if (i == kTasks - 1) mailbox->Close();  // lets uv_run return
      }));
    }
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  poster.join();
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kTasks));
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(order[i], i);
  EXPECT_TRUE(all_on_loop);
  mailbox.reset();
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LoopMailbox, ManyPostersLoseNothing) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  LoopMailbox mailbox(&loop);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  int ran = 0;  // loop thread only
  std::vector<std::thread> posters;
  for (int t = 0; t < kThreads; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        mailbox.Post([&] {
          if (++ran == kThreads * kPerThread) mailbox.Close();
        });
      }
    });
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  for (std::thread& poster : posters) poster.join();
  EXPECT_EQ(ran, kThreads * kPerThread);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LoopMailbox, CloseRunsQueuedTasksThenRefusesNewOnes) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  LoopMailbox mailbox(&loop);
  int ran = 0;
  mailbox.Post([&] { ++ran; });
  mailbox.Post([&] { ++ran; });
  mailbox.Close();
  EXPECT_EQ(ran, 2);
  bool destroyed = false;
  struct Flag {
    bool* destroyed;
    ~Flag() {
      if (destroyed != nullptr) *destroyed = true;
    }
    Flag(bool* d) : destroyed(d) {}
    Flag(Flag&& other) noexcept : destroyed(other.destroyed) { other.destroyed = nullptr; }
  };
  EXPECT_FALSE(mailbox.Post([&ran, flag = Flag(&destroyed)] { ++ran; }));
  EXPECT_TRUE(destroyed);
  mailbox.Close();  // idempotent
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LoopMailbox, TaskPostedByATaskRunsOnALaterTurn) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  LoopMailbox mailbox(&loop);
  std::vector<int> order;
  mailbox.Post([&] {
    order.push_back(1);
    mailbox.Post([&] {
      order.push_back(3);
      mailbox.Close();
    });
    order.push_back(2);
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LoopMailbox, DestroyingRightAfterCloseIsSafe) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  { LoopMailbox mailbox(&loop); }  // destructor closes; the close callback runs below
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace logbook::net
