#include "app/http_limits_config.h"

#include <cstddef>

namespace logbook::app {

net::HttpLimits HttpLimitsFrom(const Config& config) {
  net::HttpLimits limits;
  limits.max_header_bytes = static_cast<std::size_t>(config.http_max_header_bytes);
  limits.max_body_bytes = static_cast<std::size_t>(config.http_max_body_bytes);
  limits.header_timeout_ms = config.http_header_timeout_ms;
  limits.idle_timeout_ms = config.http_idle_timeout_ms;
  limits.max_connections = static_cast<std::size_t>(config.http_max_connections);
  return limits;
}

}  // namespace logbook::app
