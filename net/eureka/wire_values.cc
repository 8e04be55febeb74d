#include "net/eureka/wire_values.h"

#include <charconv>
#include <limits>

#include "net/eureka/text.h"

namespace logbook::net::eureka {

std::optional<std::int64_t> ParseDecimalInt64(std::string_view text) {
  // from_chars rejects a leading '+', which Java accepts.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return std::nullopt;
  }
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (text.empty() || result.ec != std::errc() || result.ptr != end) return std::nullopt;
  return value;
}

std::optional<std::int32_t> ParseDecimalInt32(std::string_view text) {
  const std::optional<std::int64_t> value = ParseDecimalInt64(text);
  if (!value.has_value() || *value < std::numeric_limits<std::int32_t>::min() ||
      *value > std::numeric_limits<std::int32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::int32_t>(*value);
}

bool ParseJavaBoolean(std::string_view text) { return EqualsIgnoreCaseAscii(text, "true"); }

bool IsAmazonName(std::string_view name) { return EqualsIgnoreCaseAscii(name, "Amazon"); }

void NormalizeDataCenter(bool amazon, core::DataCenterInfo& data_center) {
  if (amazon) {
    data_center.name = "Amazon";
    data_center.class_name = core::CompactString::Literal(core::kAmazonDataCenterClass);
  } else {
    data_center.class_name = core::CompactString::Literal(core::kDefaultDataCenterClass);
    data_center.metadata.clear();
  }
}

}  // namespace logbook::net::eureka
