#include "net/password_digest.h"

#include <gtest/gtest.h>

namespace logbook::net {
namespace {

TEST(Sha256, MatchesTheStandardTestVector) {
  EXPECT_EQ(HexDigest(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ParseHexDigest, RoundTripsAndRefusesAnythingElse) {
  const PasswordDigest digest = Sha256("pw");
  const auto parsed = ParseHexDigest(HexDigest(digest));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(DigestsEqual(*parsed, digest));
  std::string upper = HexDigest(digest);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(ParseHexDigest(upper).has_value());
  EXPECT_FALSE(ParseHexDigest("").has_value());
  EXPECT_FALSE(ParseHexDigest(HexDigest(digest).substr(1)).has_value());
  EXPECT_FALSE(ParseHexDigest(HexDigest(digest) + "0").has_value());
  EXPECT_FALSE(ParseHexDigest(std::string(64, 'g')).has_value());
}

TEST(DigestsEqual, ComparesEveryByte) {
  const PasswordDigest a = Sha256("password");
  EXPECT_TRUE(DigestsEqual(a, Sha256("password")));
  for (std::size_t i = 0; i < a.size(); ++i) {
    PasswordDigest b = a;
    b[i] ^= 1;
    EXPECT_FALSE(DigestsEqual(a, b)) << i;
  }
}

TEST(DigestsEqual, PasswordsOfAnyLengthCompareAsFixedSizeDigests) {
  // A prefix or an extension of the password is a different 32-byte digest:
  // the compare never depends on (or stops at) the presented length.
  const std::string password = "correct horse battery staple";
  EXPECT_FALSE(DigestsEqual(Sha256(password), Sha256(password.substr(0, 7))));
  EXPECT_FALSE(DigestsEqual(Sha256(password), Sha256(password + "x")));
  EXPECT_FALSE(DigestsEqual(Sha256(password), Sha256(std::string(1 << 20, 'a'))));
  EXPECT_EQ(Sha256("").size(), 32u);
}

}  // namespace
}  // namespace logbook::net
