// A shared body reads its slices, a slice source's included, in order and
// keeps every owner alive, a source's too, for as long as any body holds it.
#include "net/shared_body.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace logbook::net {
namespace {

class Words final : public SliceSource {
 public:
  explicit Words(std::vector<std::string> words, bool* alive)
      : words_(std::move(words)), alive_(alive) {
    *alive_ = true;
  }
  ~Words() override { *alive_ = false; }
  void ForEachSlice(absl::FunctionRef<void(std::string_view)> emit) const override {
    for (const std::string& word : words_) emit(word);
  }

 private:
  std::vector<std::string> words_;
  bool* alive_;
};

std::vector<std::string> SlicesOf(const SharedBody& body) {
  std::vector<std::string> slices;
  body.ForEachSlice([&](std::string_view slice) { slices.emplace_back(slice); });
  return slices;
}

TEST(SharedBody, ReadsSlicesAndSourcesInOrder) {
  bool alive = false;
  SharedBodyBuilder builder;
  static constexpr std::string_view kHead = "head:";
  builder.Append(kHead, nullptr);
  builder.Append(std::make_shared<const Words>(std::vector<std::string>{"a", "bb", "ccc"}, &alive),
                 6);
  builder.AppendCopy(":tail");
  const SharedBody body = std::move(builder).Build();
  EXPECT_EQ(body.size(), 16u);
  EXPECT_EQ(body.slice_count(), 5u);
  EXPECT_EQ(SlicesOf(body), (std::vector<std::string>{"head:", "a", "bb", "ccc", ":tail"}));
  EXPECT_EQ(body.Flatten(), "head:abbccc:tail");
  EXPECT_EQ(body.fd(), -1);
}

TEST(SharedBody, HoldsASourceWhileAnyBodyDoes) {
  bool alive = false;
  SharedBody outer;
  {
    SharedBodyBuilder inner_builder;
    inner_builder.Append(std::make_shared<const Words>(std::vector<std::string>{"x", "yz"}, &alive),
                         3);
    const SharedBody inner = std::move(inner_builder).Build();
    SharedBodyBuilder outer_builder;
    outer_builder.Append(inner);
    outer_builder.AppendCopy("!");
    outer = std::move(outer_builder).Build();
  }
  EXPECT_TRUE(alive);
  EXPECT_EQ(outer.Flatten(), "xyz!");
  outer = SharedBody();
  EXPECT_FALSE(alive);
}

TEST(SharedBody, AnEmptySourceAddsNothing) {
  bool alive = false;
  SharedBodyBuilder builder;
  builder.Append(std::make_shared<const Words>(std::vector<std::string>{}, &alive), 0);
  const SharedBody body = std::move(builder).Build();
  EXPECT_EQ(body.size(), 0u);
  EXPECT_EQ(body.slice_count(), 0u);
  EXPECT_FALSE(alive);  // not held
}

}  // namespace
}  // namespace logbook::net
