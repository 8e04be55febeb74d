#pragma once
// application/x-www-form-urlencoded query strings (Eureka passes status,
// lastDirtyTimestamp, value and metadata keys this way).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logbook::net {

class QueryParams {
 public:
  // Percent-decodes keys and values; '+' means space. Malformed escapes are
  // kept literally rather than rejected, as servlet containers do.
  static QueryParams Parse(std::string_view query);

  // First value of `key` (case-sensitive), if present.
  std::optional<std::string_view> Get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return params_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace logbook::net
