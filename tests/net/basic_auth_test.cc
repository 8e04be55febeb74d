#include "net/basic_auth.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "absl/strings/escaping.h"

namespace logbook::net {
namespace {

std::string Encoded(const std::string& user_colon_password) {
  return "Basic " + absl::Base64Escape(user_colon_password);
}

TEST(ParseBasicAuthorization, ReadsUserAndPassword) {
  const auto credentials = ParseBasicAuthorization(Encoded("alice:s3cret"));
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "alice");
  EXPECT_EQ(credentials->password, "s3cret");
}

TEST(ParseBasicAuthorization, PasswordMayContainColonsAndBeEmpty) {
  auto credentials = ParseBasicAuthorization(Encoded("alice:a:b:c"));
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->password, "a:b:c");
  credentials = ParseBasicAuthorization(Encoded("alice:"));
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->password, "");
}

TEST(ParseBasicAuthorization, SchemeIsCaseInsensitiveAndSpacesAreTolerated) {
  const std::string token = absl::Base64Escape("u:p");
  EXPECT_TRUE(ParseBasicAuthorization("basic " + token).has_value());
  EXPECT_TRUE(ParseBasicAuthorization("BASIC   " + token + "  ").has_value());
  EXPECT_TRUE(ParseBasicAuthorization("Basic\t" + token).has_value());
}

TEST(ParseBasicAuthorization, RefusesHostileInput) {
  const std::string big(kMaxBasicAuthorizationBytes + 1, 'A');
  const std::vector<std::string> hostile = {
      "",
      "Basic",
      "Basic ",
      "BasicdTpw",                                    // no space after the scheme
      "Bearer " + absl::Base64Escape("u:p"),           // another scheme
      "Digest username=\"u\"",
      "Basic " + absl::Base64Escape("no-colon"),       // no ':'
      "Basic " + absl::Base64Escape(":password"),      // empty user
      "Basic " + absl::Base64Escape(std::string("u\x01:p", 4)),  // control char in user
      "Basic !!!!",                                    // not base64
      "Basic dTpw=x",                                  // padding inside
      "Basic d",
      "Basic dTpw===",
      "Basic dT pw",                                   // space inside the token
      "Basic dTpw\r\n",
      std::string("Basic dTpw\0", 11),
      "Basic " + big,
      big,
  };
  for (const std::string& value : hostile) {
    EXPECT_FALSE(ParseBasicAuthorization(value).has_value()) << absl::CHexEscape(value);
  }
}

TEST(ParseBasicAuthorization, UnpaddedBase64IsAccepted) {
  // "u:pw" is dTpwdw== ; some clients drop the padding.
  const auto credentials = ParseBasicAuthorization("Basic dTpwdw");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->password, "pw");
}

TEST(ParseBasicAuthorization, RandomBytesNeverCrash) {
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::string value = (i % 2 == 0) ? "Basic " : "";
    const int length = static_cast<int>(random() % 64);
    for (int j = 0; j < length; ++j) value.push_back(static_cast<char>(random() % 256));
    const auto credentials = ParseBasicAuthorization(value);
    if (credentials.has_value()) {
      EXPECT_FALSE(credentials->user.empty());
    }
  }
}

TEST(BasicAuthorization, RoundTrips) {
  const std::string header = BasicAuthorization("peer-1", "p@ss:w0rd é");
  EXPECT_EQ(header.rfind("Basic ", 0), 0u);
  const auto credentials = ParseBasicAuthorization(header);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "peer-1");
  EXPECT_EQ(credentials->password, "p@ss:w0rd é");
  EXPECT_EQ(BasicAuthorization("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

}  // namespace
}  // namespace logbook::net
