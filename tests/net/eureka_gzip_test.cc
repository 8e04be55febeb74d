// gzip for cached reads and request bodies (eureka-protocol.md §1.3).
#include <gtest/gtest.h>

#include <random>

#include "net/eureka/gzip.h"

namespace logbook::net::eureka {
namespace {

std::string RandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
  return bytes;
}

TEST(Gzip, RoundTrip) {
  std::string document;
  for (int i = 0; i < 2000; ++i)
    document += R"({"instance":{"hostName":"host-a","app":"ORDERS"}},)";
  for (const std::string& data :
       {std::string(), std::string("x"), document, RandomBytes(100000, 7)}) {
    const std::string compressed = GzipCompress(data);
    ASSERT_GE(compressed.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(compressed[0]), 0x1F);
    EXPECT_EQ(static_cast<unsigned char>(compressed[1]), 0x8B);
    absl::StatusOr<std::string> restored = GzipDecompress(compressed, data.size());
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(*restored, data);
  }
  EXPECT_LT(GzipCompress(document).size(), document.size() / 10);
}

TEST(Gzip, ConcatenatedMembers) {
  const std::string body = GzipCompress("hello, ") + GzipCompress("world");
  absl::StatusOr<std::string> restored = GzipDecompress(body, 100);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, "hello, world");
}

TEST(Gzip, OutputIsBounded) {
  // 10 MB of zeros compresses to ~10 KB: a classic decompression bomb.
  const std::string bomb = GzipCompress(std::string(10 << 20, '\0'));
  EXPECT_EQ(GzipDecompress(bomb, 1 << 20).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(GzipDecompress(bomb, 10 << 20).ok());
  EXPECT_EQ(GzipDecompress(GzipCompress("abc"), 2).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GzipDecompress(GzipCompress(""), 0).value_or("?"), "");
}

TEST(Gzip, LyingSizeTrailerStillWorks) {
  // ISIZE is only a hint: a wrong one must neither fail nor overflow.
  const std::string data(50000, 'a');
  std::string compressed = GzipCompress(data);
  const std::size_t n = compressed.size();
  compressed[n - 4] = 1;
  compressed[n - 3] = compressed[n - 2] = compressed[n - 1] = 0;
  // libdeflate checks ISIZE, so this is corrupt, but it must be reported as such.
  EXPECT_FALSE(GzipDecompress(compressed, 1 << 20).ok());
}

TEST(Gzip, CorruptInputIsInvalidArgument) {
  const std::string good = GzipCompress(std::string(1000, 'q'));
  std::string flipped = good;
  flipped[good.size() - 8] ^= 0x40;  // the CRC32
  for (const std::string& bad :
       {std::string(), std::string("not gzip at all, really"), good.substr(0, good.size() - 1),
        good.substr(0, 10), flipped, good + "trailing"}) {
    EXPECT_EQ(GzipDecompress(bad, 1 << 20).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(Gzip, RandomInputNeverCrashes) {
  for (std::uint32_t seed = 0; seed < 300; ++seed) {
    std::string bytes = RandomBytes(seed % 200, seed);
    if (seed % 3 == 0 && bytes.size() >= 2) {
      bytes[0] = '\x1f';
      bytes[1] = '\x8b';
    }
    EXPECT_LE(GzipDecompress(bytes, 4096).value_or("").size(), 4096u);
  }
}

}  // namespace
}  // namespace logbook::net::eureka
