// CompactStringMap behaves as the std::map<std::string, std::string> it
// replaced: same iteration order, same operator[] (inserts ""), same equality.
#include "core/compact_string_map.h"

#include <map>
#include <random>
#include <string>

#include "gtest/gtest.h"

namespace logbook::core {
namespace {

TEST(CompactStringMapTest, IteratesInKeyByteOrderAsStdMap) {
  std::mt19937 random(7);
  std::map<std::string, std::string> expected;
  CompactStringMap map;
  for (int i = 0; i < 500; ++i) {
    const std::string key = std::to_string(random() % 97) + (i % 3 == 0 ? "-a-long-key-x" : "");
    const std::string value = std::to_string(i) + std::string(i % 20, 'v');
    switch (random() % 3) {
      case 0:
        expected[key] = value;
        map[key] = value;
        break;
      case 1:
        expected.insert_or_assign(key, value);
        map.insert_or_assign(key, value);
        break;
      default:
        EXPECT_EQ(map.erase(key), expected.erase(key));
    }
  }
  ASSERT_EQ(map.size(), expected.size());
  auto it = expected.begin();
  for (const auto& [key, value] : map) {
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(value, it->second);
    ++it;
  }
  EXPECT_EQ(map, expected);
  EXPECT_EQ(map, CompactStringMap(expected));
}

TEST(CompactStringMapTest, IndexingAMissingKeyInsertsAnEmptyValue) {
  CompactStringMap map = {{"zone", "z1"}};
  CompactString& inserted = map["instance-id"];
  EXPECT_TRUE(inserted.has_value());
  EXPECT_EQ(inserted, "");
  inserted = "i-1";
  EXPECT_EQ(map.at("instance-id"), "i-1");
  EXPECT_TRUE(map.contains("zone"));
  EXPECT_FALSE(map.contains("zon"));
  EXPECT_EQ(map.find("absent"), map.end());
  EXPECT_EQ(map.size(), 2u);
}

TEST(CompactStringMapTest, IndexingWithAViewOfItsOwnValueIsSafe) {
  CompactStringMap map;
  map.insert_or_assign("a", "short-value");  // inline: it lives inside the vector
  // The key views the vector's storage, which the insertion reallocates.
  map[map.at("a")] = "x";
  EXPECT_EQ(map.at("short-value"), "x");
  EXPECT_EQ(map.at("a"), "short-value");
  EXPECT_EQ(map.size(), 2u);
}

TEST(CompactStringMapTest, EqualityComparesKeysAndValues) {
  const CompactStringMap a = {{"k", "v"}};
  EXPECT_EQ(a, (CompactStringMap{{"k", "v"}}));
  EXPECT_NE(a, (CompactStringMap{{"k", "w"}}));
  EXPECT_NE(a, (CompactStringMap{{"k", "v"}, {"l", "v"}}));
  EXPECT_NE(a, CompactStringMap());
}

}  // namespace
}  // namespace logbook::core
