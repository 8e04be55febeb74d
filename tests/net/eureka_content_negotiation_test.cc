// Content negotiation and compression choices (eureka-protocol.md §1.2, §1.3).
#include <gtest/gtest.h>

#include "net/eureka/content_negotiation.h"

namespace logbook::net::eureka {
namespace {

constexpr auto kJson = WireFormat::kJson;
constexpr auto kXml = WireFormat::kXml;

TEST(ContentNegotiation, CachedReadsUseTheJsonSubstringRule) {
  const std::pair<std::string_view, WireFormat> kCases[] = {
      {"", kXml},
      {"*/*", kXml},
      {"application/xml", kXml},
      {"application/json", kJson},
      {"application/json;charset=UTF-8", kJson},
      {"text/html, application/json;q=0.1", kJson},
      {"application/vnd.whatever+json", kJson},
      {"text/plain; json", kJson},  // a plain substring test, quirks and all
      {"application/JSON", kXml},   // ... and case-sensitive, like Eureka's
      {"text/html", kXml},
  };
  for (const auto& [accept, format] : kCases) {
    EXPECT_EQ(CachedReadFormat(accept), format) << accept;
  }
}

TEST(ContentNegotiation, CachedReadFlavour) {
  const std::pair<std::string_view, PayloadFlavour> kCases[] = {
      {"", PayloadFlavour::kFull},          {"full", PayloadFlavour::kFull},
      {"compact", PayloadFlavour::kCompact}, {"COMPACT", PayloadFlavour::kCompact},
      {" Compact ", PayloadFlavour::kCompact}, {"compact,full", PayloadFlavour::kFull},
      {"compacted", PayloadFlavour::kFull},
  };
  for (const auto& [header, flavour] : kCases) {
    EXPECT_EQ(CachedReadFlavour(header), flavour) << header;
  }
}

TEST(ContentNegotiation, CachedReadNotAcceptable) {
  const std::pair<std::string_view, bool> kCases[] = {
      {"", false},
      {"*/*", false},
      {"application/*", false},
      {"application/json", false},
      {"application/xml", false},
      {"text/html, */*;q=0.8", false},  // what browsers send
      {"text/html", true},              // §11 item 29
      {"text/html, text/plain", true},
      {"application/json;q=0", true},
      {"text/xml", true},  // not among @Produces
      {"garbage", false},  // nothing parsable: treated as no Accept
  };
  for (const auto& [accept, expected] : kCases) {
    EXPECT_EQ(CachedReadNotAcceptable(accept), expected) << accept;
  }
}

TEST(ContentNegotiation, EntityEndpointsPreferXml) {
  const std::pair<std::string_view, std::optional<WireFormat>> kCases[] = {
      {"", kXml},
      {"*/*", kXml},
      {"application/*", kXml},
      {"application/xml", kXml},
      {"application/json", kJson},
      {"Application/JSON", kJson},
      {"application/json;charset=UTF-8", kJson},
      {"application/json, */*", kJson},  // the specific range outranks the wildcard
      {"*/*, application/json", kJson},
      {"application/json;q=0.5, application/xml", kXml},
      {"application/xml;q=0.5, application/json", kJson},
      {"text/html, application/json;q=0.9", kJson},
      {"application/json, application/xml", kJson},  // tie: the client's order
      {"text/html", std::nullopt},
      {"text/html, application/json;q=0", std::nullopt},
  };
  for (const auto& [accept, expected] : kCases) {
    EXPECT_EQ(EntityFormat(accept), expected) << accept;
  }
}

TEST(ContentNegotiation, RequestBodies) {
  const std::pair<std::string_view, std::optional<WireFormat>> kCases[] = {
      {"application/json", kJson},
      {"application/json;charset=UTF-8", kJson},
      {"application/json; charset=utf-8", kJson},
      {"application/json; charset=\"UTF-8\"", kJson},
      {"application/json;charset=ISO-8859-1", kJson},
      {"APPLICATION/JSON", kJson},
      {"application/xml", kXml},
      {"application/xml; charset=UTF-8", kXml},
      {"text/xml", kXml},
      {"text/xml;charset=iso-8859-1", kXml},
      {"application/json;charset=UTF-16", std::nullopt},
      {"text/plain", std::nullopt},  // §11 item 10: 415
      {"application/x-www-form-urlencoded", std::nullopt},
      {"", std::nullopt},
      {"json", std::nullopt},
      {"application/json, application/xml", std::nullopt},
  };
  for (const auto& [content_type, expected] : kCases) {
    EXPECT_EQ(RequestBodyFormat(content_type), expected) << content_type;
  }
}

TEST(ContentNegotiation, AcceptsGzip) {
  const std::pair<std::string_view, bool> kCases[] = {
      {"gzip", true},          {"gzip, deflate", true}, {"deflate, gzip;q=0.5", true},
      {"GZIP", true},          {"x-gzip", true},        {"", false},
      {"deflate", false},      {"identity", false},     {"gzip;q=0", false},
      {"br, gzip ;q=1", true},
  };
  for (const auto& [accept_encoding, expected] : kCases) {
    EXPECT_EQ(AcceptsGzip(accept_encoding), expected) << accept_encoding;
  }
}

TEST(ContentNegotiation, ContentTypes) {
  EXPECT_EQ(ContentTypeOf(kJson), "application/json");
  EXPECT_EQ(ContentTypeOf(kXml), "application/xml");
}

}  // namespace
}  // namespace logbook::net::eureka
