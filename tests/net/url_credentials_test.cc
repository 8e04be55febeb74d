#include "net/url_credentials.h"

#include <gtest/gtest.h>

namespace logbook::net {
namespace {

TEST(SplitUrlCredentials, SplitsUserinfoOffTheUrl) {
  const UrlWithCredentials split = SplitUrlCredentials("http://peer:s3cret@10.0.0.2:8761/eureka/");
  EXPECT_EQ(split.url, "http://10.0.0.2:8761/eureka/");
  ASSERT_TRUE(split.credentials.has_value());
  EXPECT_EQ(split.credentials->user, "peer");
  EXPECT_EQ(split.credentials->password, "s3cret");
}

TEST(SplitUrlCredentials, PercentEscapesAreDecodedAndAtInPasswordIsKept) {
  const UrlWithCredentials split = SplitUrlCredentials("http://us%3Aer:p@ss%2Fw%zz@host:1");
  EXPECT_EQ(split.url, "http://host:1");
  ASSERT_TRUE(split.credentials.has_value());
  EXPECT_EQ(split.credentials->user, "us:er");
  EXPECT_EQ(split.credentials->password, "p@ss/w%zz");
}

TEST(SplitUrlCredentials, UrlsWithoutUserinfoComeBackUnchanged) {
  for (const char* url : {"http://host:1", "http://host:1/path@not-userinfo", "host:1", "",
                          "http://host?x=a@b"}) {
    const UrlWithCredentials split = SplitUrlCredentials(url);
    EXPECT_EQ(split.url, url);
    EXPECT_FALSE(split.credentials.has_value()) << url;
  }
}

TEST(SplitUrlCredentials, UserWithoutPassword) {
  const UrlWithCredentials split = SplitUrlCredentials("http://only@host");
  EXPECT_EQ(split.url, "http://host");
  ASSERT_TRUE(split.credentials.has_value());
  EXPECT_EQ(split.credentials->user, "only");
  EXPECT_EQ(split.credentials->password, "");
}

TEST(MaskUrlPassword, ReplacesOnlyThePassword) {
  EXPECT_EQ(MaskUrlPassword("http://peer:s3cret@host:8761/eureka/"),
            "http://peer:***@host:8761/eureka/");
  EXPECT_EQ(MaskUrlPassword("http://peer:p@ss@host"), "http://peer:***@host");
  EXPECT_EQ(MaskUrlPassword("http://host:8761"), "http://host:8761");
  EXPECT_EQ(MaskUrlPassword("http://only@host"), "http://only@host");
}

TEST(ParseUserColonPassword, SplitsAtTheFirstColon) {
  const auto credentials = ParseUserColonPassword("rep:a:b");
  ASSERT_TRUE(credentials.has_value());
  EXPECT_EQ(credentials->user, "rep");
  EXPECT_EQ(credentials->password, "a:b");
  EXPECT_FALSE(ParseUserColonPassword("nocolon").has_value());
  EXPECT_FALSE(ParseUserColonPassword(":pw").has_value());
}

}  // namespace
}  // namespace logbook::net
