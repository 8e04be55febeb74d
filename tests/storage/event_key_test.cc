#include "storage/event_key.h"

#include <string>

#include "gtest/gtest.h"

namespace logbook::storage {
namespace {

TEST(EventKey, IsEightBytesBigEndian) {
  EXPECT_EQ(EventKey(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_EQ(EventKey(300), std::string("\0\0\0\0\0\0\x01\x2c", 8));
  EXPECT_EQ(EventKey(0x0102030405060708ull), "\x01\x02\x03\x04\x05\x06\x07\x08");
}

TEST(EventKey, BytewiseOrderIsOffsetOrder) {
  const core::Offset offsets[] = {1, 2, 255, 256, 65535, 65536, 1ull << 40, ~0ull};
  for (std::size_t i = 0; i + 1 < std::size(offsets); ++i) {
    EXPECT_LT(EventKey(offsets[i]), EventKey(offsets[i + 1])) << offsets[i];
  }
}

TEST(EventKey, ParseRoundTripsAndRejectsOtherLengths) {
  for (const core::Offset offset : {1ull, 300ull, ~0ull}) {
    EXPECT_EQ(ParseEventKey(EventKey(offset)), offset);
  }
  EXPECT_EQ(ParseEventKey(""), std::nullopt);
  EXPECT_EQ(ParseEventKey(std::string(7, '\0')), std::nullopt);
  EXPECT_EQ(ParseEventKey(std::string(9, '\0')), std::nullopt);
}

}  // namespace
}  // namespace logbook::storage
