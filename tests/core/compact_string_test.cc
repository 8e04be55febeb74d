// CompactString: absent vs "", inline vs shared heap text, value semantics
// under copy, move and assignment, and the std::optional-like read API.
#include "core/compact_string.h"

#include <string>
#include <utility>
#include <vector>

#include "core/instance.h"
#include "gtest/gtest.h"

namespace logbook::core {
namespace {

const std::string kLong = "http://10.0.0.1:8080/actuator/health";  // beyond the inline 15

TEST(CompactStringTest, AbsentDiffersFromEmpty) {
  const CompactString absent;
  const CompactString empty = "";
  EXPECT_FALSE(absent.has_value());
  EXPECT_FALSE(static_cast<bool>(absent));
  EXPECT_TRUE(empty.has_value());
  EXPECT_NE(absent, empty);
  EXPECT_NE(absent, "");
  EXPECT_EQ(empty, "");
  EXPECT_EQ(absent, CompactString(std::nullopt));
  EXPECT_EQ(absent, std::optional<std::string>());
  EXPECT_NE(empty, std::optional<std::string>());
  EXPECT_EQ(absent.value_or("fallback"), "fallback");
  EXPECT_EQ(empty.value_or("fallback"), "");
}

// A default string_view has a null data(): what clear() and the codecs'
// empty fields pass (the fuzzers' UBSan build caught a memcpy from it).
TEST(CompactStringTest, AnEmptyViewWithNullDataIsPresentAndEmpty) {
  CompactString cleared = "was here";
  cleared.clear();
  EXPECT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared, "");
  const CompactString from_null_view{std::string_view()};
  EXPECT_TRUE(from_null_view.has_value());
  EXPECT_TRUE(from_null_view.empty());
}

TEST(CompactStringTest, ShortTextIsInlineAndLongTextIsNot) {
  for (const std::string& text : {std::string(), std::string("i-00000001"), std::string(15, 'x'),
                                  std::string(16, 'y'), kLong}) {
    const CompactString value = text;
    EXPECT_EQ(value.is_inline(), text.size() <= 15) << text;
    EXPECT_EQ(*value, text);
    EXPECT_EQ(value->size(), text.size());
    EXPECT_EQ(value.size(), text.size());
    EXPECT_EQ(value.str(), text);
  }
}

TEST(CompactStringTest, CopiesShareAndOutliveEachOther) {
  std::vector<CompactString> copies;
  {
    CompactString original = kLong;
    for (int i = 0; i < 4; ++i) copies.push_back(original);
    EXPECT_EQ(copies[0].data(), original.data());  // one block for all copies
    original = "short";
    EXPECT_EQ(original, "short");
  }
  for (const CompactString& copy : copies) EXPECT_EQ(copy, kLong);
  copies.erase(copies.begin(), copies.begin() + 3);
  EXPECT_EQ(copies.back(), kLong);
}

TEST(CompactStringTest, MoveLeavesTheSourceAbsent) {
  CompactString source = kLong;
  CompactString target = std::move(source);
  EXPECT_EQ(target, kLong);
  EXPECT_FALSE(source.has_value());  // NOLINT(bugprone-use-after-move): the contract
  CompactString other = "x";
  other = std::move(target);
  EXPECT_EQ(other, kLong);
  other = std::nullopt;
  EXPECT_FALSE(other.has_value());
}

TEST(CompactStringTest, SelfAssignmentKeepsTheValue) {
  CompactString value = kLong;
  const CompactString& alias = value;
  value = alias;
  EXPECT_EQ(value, kLong);
}

TEST(CompactStringTest, LiteralIsSharedWithoutCopy) {
  const CompactString literal = CompactString::Literal(kAmazonDataCenterClass);
  const CompactString copy = literal;
  EXPECT_EQ(copy.data(), kAmazonDataCenterClass.data());
  EXPECT_EQ(copy, CompactString(std::string(kAmazonDataCenterClass)));
}

TEST(CompactStringTest, KnownDataCenterClassesPointAtStaticText) {
  InstanceInfo info;
  info.data_center.class_name = std::string(kAmazonDataCenterClass);
  const InstanceInfo before = info;
  ShareKnownValues(info);
  EXPECT_EQ(info, before);
  // Another record's copy points at the same static text: nothing per
  // instance. (Not compared with kAmazonDataCenterClass.data(): without
  // string merging, e.g. under ASan, each translation unit has its own copy.)
  InstanceInfo other;
  other.data_center.class_name = std::string(kAmazonDataCenterClass);
  ShareKnownValues(other);
  EXPECT_EQ(other.data_center.class_name.data(), info.data_center.class_name.data());
  info.data_center.class_name = std::string("com.example.Custom") + "DataCenterInfo";
  ShareKnownValues(info);
  EXPECT_EQ(info.data_center.class_name, "com.example.CustomDataCenterInfo");
}

}  // namespace
}  // namespace logbook::core
