#include "net/eureka/content_negotiation.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "net/eureka/text.h"

namespace logbook::net::eureka {
namespace {

// One entry of an Accept or Content-Type header: "type/subtype;k=v;q=0.5".
struct MediaRange {
  std::string type;     // lower-case
  std::string subtype;  // lower-case
  double quality = 1.0;
  std::string charset;  // lower-case, unquoted; empty when absent
  // Jersey orders equally weighted ranges by how specific they are.
  int Specificity() const {
    if (type == "*") return 0;
    if (subtype == "*") return 1;
    return 2;
  }
};

// Parses q per RFC 9110 ("0", "0.5", "1.000"); malformed values count as 1
// so that a sloppy client is not refused for a typo.
double ParseQuality(std::string_view text) {
  double value = 1.0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return 1.0;
  return std::clamp(value, 0.0, 1.0);
}

// nullopt for an entry without "type/subtype".
std::optional<MediaRange> ParseMediaRange(std::string_view entry) {
  std::vector<std::string_view> parts = SplitOn(entry, ';');
  const std::string_view full_type = TrimAscii(parts[0]);
  const std::size_t slash = full_type.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  MediaRange range;
  range.type = LowerAscii(TrimAscii(full_type.substr(0, slash)));
  range.subtype = LowerAscii(TrimAscii(full_type.substr(slash + 1)));
  if (range.type.empty() || range.subtype.empty()) return std::nullopt;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t equals = parts[i].find('=');
    if (equals == std::string_view::npos) continue;
    const std::string name = LowerAscii(TrimAscii(parts[i].substr(0, equals)));
    std::string_view value = TrimAscii(parts[i].substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name == "q") {
      range.quality = ParseQuality(value);
    } else if (name == "charset") {
      range.charset = LowerAscii(value);
    }
  }
  return range;
}

std::vector<MediaRange> ParseAccept(std::string_view accept) {
  std::vector<MediaRange> ranges;
  for (std::string_view entry : SplitOn(accept, ',')) {
    if (TrimAscii(entry).empty()) continue;
    if (auto range = ParseMediaRange(entry)) ranges.push_back(std::move(*range));
  }
  return ranges;
}

bool Matches(const MediaRange& range, WireFormat format) {
  if (range.type == "*") return true;
  if (range.type != "application") return false;
  if (range.subtype == "*") return true;
  return range.subtype == (format == WireFormat::kJson ? "json" : "xml");
}

}  // namespace

WireFormat CachedReadFormat(std::string_view accept) {
  // Eureka's ApplicationsResource tests `accept.contains("json")`, case and all.
  return accept.find("json") != std::string_view::npos ? WireFormat::kJson : WireFormat::kXml;
}

PayloadFlavour CachedReadFlavour(std::string_view x_eureka_accept) {
  return EqualsIgnoreCaseAscii(TrimAscii(x_eureka_accept), "compact") ? PayloadFlavour::kCompact
                                                                       : PayloadFlavour::kFull;
}

std::optional<WireFormat> EntityFormat(std::string_view accept) {
  std::vector<MediaRange> ranges = ParseAccept(accept);
  // Missing, empty or unparsable Accept means "anything": XML, Jersey's first.
  if (ranges.empty()) return WireFormat::kXml;
  // Jersey walks the client's ranges by quality, then specificity (stable, so
  // header order breaks ties) and takes the first produced type each admits,
  // trying XML before JSON as @Produces lists them.
  std::stable_sort(ranges.begin(), ranges.end(), [](const MediaRange& a, const MediaRange& b) {
    if (a.quality != b.quality) return a.quality > b.quality;
    return a.Specificity() > b.Specificity();
  });
  for (const MediaRange& range : ranges) {
    if (range.quality <= 0.0) continue;
    if (Matches(range, WireFormat::kXml)) return WireFormat::kXml;
    if (Matches(range, WireFormat::kJson)) return WireFormat::kJson;
  }
  return std::nullopt;
}

bool CachedReadNotAcceptable(std::string_view accept) {
  const std::vector<MediaRange> ranges = ParseAccept(accept);
  if (ranges.empty()) return false;
  for (const MediaRange& range : ranges) {
    if (range.quality <= 0.0) continue;
    if (Matches(range, WireFormat::kXml) || Matches(range, WireFormat::kJson)) return false;
  }
  return true;
}

std::optional<WireFormat> RequestBodyFormat(std::string_view content_type) {
  if (content_type.find(',') != std::string_view::npos) return std::nullopt;
  const std::optional<MediaRange> range = ParseMediaRange(content_type);
  if (!range.has_value()) return std::nullopt;
  if (!range->charset.empty() && range->charset != "utf-8" && range->charset != "iso-8859-1") {
    return std::nullopt;
  }
  if (range->type == "application" && range->subtype == "json") return WireFormat::kJson;
  if ((range->type == "application" || range->type == "text") && range->subtype == "xml") {
    return WireFormat::kXml;
  }
  return std::nullopt;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  for (std::string_view entry : SplitOn(accept_encoding, ',')) {
    std::vector<std::string_view> parts = SplitOn(entry, ';');
    const std::string coding = LowerAscii(TrimAscii(parts[0]));
    if (coding != "gzip" && coding != "x-gzip") continue;
    // "gzip;q=0" is an explicit refusal.
    double quality = 1.0;
    for (std::size_t i = 1; i < parts.size(); ++i) {
      const std::string_view parameter = TrimAscii(parts[i]);
      if (StartsWithIgnoreCaseAscii(parameter, "q=")) quality = ParseQuality(parameter.substr(2));
    }
    if (quality > 0.0) return true;
  }
  return false;
}

std::string_view ContentTypeOf(WireFormat format) {
  return format == WireFormat::kJson ? "application/json" : "application/xml";
}

}  // namespace logbook::net::eureka
