// A fragment gives back exactly the bytes it was made from, however its own
// spans fall; fragments with the same text between their own spans share one
// template; an instance's identity and timestamps are what it keeps as its
// own, so the instances of one application hold their common text once.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/registry.h"
#include "net/eureka/fragment.h"
#include "net/eureka/fragment_cache.h"
#include "tests/core/core_test_util.h"

namespace logbook::net::eureka {
namespace {

std::string Slices(const Fragment& fragment, std::size_t* count = nullptr) {
  std::string out;
  std::size_t slices = 0;
  fragment.ForEachSlice([&](std::string_view slice) {
    EXPECT_FALSE(slice.empty());
    out.append(slice);
    ++slices;
  });
  if (count != nullptr) *count = slices;
  return out;
}

TEST(Fragment, GivesBackItsBytesForAnySpans) {
  std::mt19937 random(7);
  FragmentTemplates templates;
  for (int round = 0; round < 2000; ++round) {
    const std::size_t size = random() % 300;
    std::string text;
    for (std::size_t i = 0; i < size; ++i) text.push_back(static_cast<char>('a' + random() % 3));
    std::vector<TextSpan> own;
    const int spans = static_cast<int>(random() % 6);
    for (int i = 0; i < spans && size > 0; ++i) {
      const std::size_t begin = random() % size;
      own.push_back(TextSpan{begin, begin + random() % (size - begin + 1)});
    }
    const FragmentRef fragment = templates.Make(text, own);
    ASSERT_EQ(Slices(*fragment), text) << "round " << round;
    EXPECT_EQ(fragment->Flatten(), text);
    EXPECT_EQ(fragment->size(), text.size());
  }
}

TEST(Fragment, WholeHoldsItsBytesAlone) {
  const FragmentRef fragment = Fragment::Whole("{\"a\":1}");
  EXPECT_EQ(Slices(*fragment), "{\"a\":1}");
  EXPECT_EQ(fragment->own_bytes(), 7u);
  EXPECT_EQ(fragment->shared_template(), nullptr);
  EXPECT_EQ(Fragment::Whole("")->Flatten(), "");
}

TEST(Fragment, SameTextAroundOwnSpansSharesOneTemplate) {
  const std::string common(100, '.');
  FragmentTemplates templates;
  const std::string a = common + "id-0001" + common + "10.0.0.1" + common;
  const std::string b = common + "id-0002" + common + "10.0.0.22" + common;
  const FragmentRef first = templates.Make(a, FindOccurrences(a, {"id-0001", "10.0.0.1"}));
  const FragmentRef second = templates.Make(b, FindOccurrences(b, {"id-0002", "10.0.0.22"}));
  EXPECT_EQ(first->Flatten(), a);
  EXPECT_EQ(second->Flatten(), b);
  ASSERT_NE(first->shared_template(), nullptr);
  EXPECT_EQ(first->shared_template(), second->shared_template());
  EXPECT_EQ(first->own_bytes(), 15u);
  EXPECT_EQ(second->own_bytes(), 16u);
  EXPECT_EQ(templates.size(), 1u);

  // Other text between the spans: another template.
  const std::string c = common + "id-0003" + common + "10.0.0.3" + std::string(100, ',');
  const FragmentRef third = templates.Make(c, FindOccurrences(c, {"id-0003", "10.0.0.3"}));
  EXPECT_EQ(third->Flatten(), c);
  EXPECT_NE(third->shared_template(), first->shared_template());
  EXPECT_EQ(templates.size(), 2u);
}

TEST(Fragment, ShortPiecesBetweenOwnSpansAreOwnBytes) {
  FragmentTemplates templates;
  // A gap shorter than a piece is worth joins the spans; so do short ends.
  const std::string gap(FragmentTemplates::kMinPieceBytes - 1, '-');
  const std::string text = "ab" + std::string("X") + gap + "Y" + std::string(200, '=') + "Z";
  const FragmentRef fragment = templates.Make(text, FindOccurrences(text, {"X", "Y", "Z"}, 1));
  EXPECT_EQ(fragment->Flatten(), text);
  std::size_t slices = 0;
  Slices(*fragment, &slices);
  EXPECT_EQ(slices, 3u);  // "abX---Y", the '=' run, "Z"
  EXPECT_EQ(fragment->own_bytes(), 2 + 1 + gap.size() + 1 + 1);
}

TEST(Fragment, OwnBytesBeyondTheirIndexRangeMakeAWholeFragment) {
  FragmentTemplates templates;
  const std::string own(70000, 'o');
  const std::string text = std::string(100, '.') + own + std::string(100, '.');
  const FragmentRef fragment = templates.Make(text, FindOccurrences(text, {own}));
  EXPECT_EQ(fragment->Flatten(), text);
  EXPECT_EQ(fragment->shared_template(), nullptr);
  EXPECT_EQ(templates.size(), 0u);
}

TEST(Fragment, SweepForgetsTemplatesNoFragmentUses) {
  FragmentTemplates templates;
  const std::string text = std::string(64, 'a') + "own" + std::string(64, 'b');
  FragmentRef kept = templates.Make(text, FindOccurrences(text, {"own"}, 1));
  {
    const std::string other = std::string(64, 'c') + "own" + std::string(64, 'd');
    const FragmentRef dropped = templates.Make(other, FindOccurrences(other, {"own"}, 1));
    EXPECT_EQ(templates.size(), 2u);
  }
  templates.Sweep();
  EXPECT_EQ(templates.size(), 1u);
  // A template in use is found again after a sweep.
  const FragmentRef again = templates.Make(text, FindOccurrences(text, {"own"}, 1));
  EXPECT_EQ(again->shared_template(), kept->shared_template());
}

TEST(FindOccurrences, FindsEveryOccurrenceOfNeedlesLongEnough) {
  const std::vector<TextSpan> found =
      FindOccurrences("10.0.0.1 http://10.0.0.1:80/ up", {"10.0.0.1", "up", ""});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].begin, 0u);
  EXPECT_EQ(found[0].end, 8u);
  EXPECT_EQ(found[1].begin, 16u);
  EXPECT_EQ(found[1].end, 24u);
}

// 200 instances of one application, each with its own id, host, address and
// URLs: one template per format, and each fragment's own bytes a fraction of
// its size.
TEST(FragmentCacheTemplates, InstancesOfOneAppShareTheirCommonText) {
  core::testing::Harness harness;
  for (int i = 0; i < 200; ++i) {
    core::InstanceInfo info = core::testing::MakeInstance("ORDERS", absl::StrCat("i-", 1000 + i));
    const std::string ip = absl::StrCat("10.1.", i / 100, ".", i % 100);
    info.ip_addr = ip;
    info.home_page_url = absl::StrCat("http://", ip, ":8080/");
    info.health_check_url = absl::StrCat("http://", ip, ":8080/actuator/health");
    info.metadata = {{"zone", "z1"}};
    harness.Register(info, 1000);
  }
  FragmentCache cache;
  std::size_t own = 0;
  std::size_t total = 0;
  const core::Application* orders = harness.registry().FindApplication("ORDERS");
  ASSERT_NE(orders, nullptr);
  const Fragment* first_json = nullptr;
  for (const auto& [id, record] : orders->instances) {
    const FragmentRef json = cache.Json(record);
    const FragmentRef xml = cache.Xml(record, 2);
    if (first_json == nullptr) first_json = json.get();
    EXPECT_NE(json->Flatten().find(id), std::string::npos);
    EXPECT_EQ(json->shared_template(), first_json->shared_template());
    own += json->own_bytes() + xml->own_bytes();
    total += json->size() + xml->size();
  }
  EXPECT_EQ(cache.templates(), 2u);
  EXPECT_LT(own * 2, total);
}

}  // namespace
}  // namespace logbook::net::eureka
