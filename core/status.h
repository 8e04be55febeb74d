#pragma once
// Error helpers shared by all modules: absl::Status plus RETURN_IF_ERROR, and
// LOGBOOK_CHECK for invariants whose violation means the process must stop.
#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define LOGBOOK_CHECK(cond)                                                  \
  do {                                                                       \
    if (!(cond)) {                                                           \
      std::fprintf(stderr, "%s:%d: LOGBOOK_CHECK failed: %s\n", __FILE__,    \
                   __LINE__, #cond);                                         \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

#define LOGBOOK_STATUS_CONCAT_INNER(a, b) a##b
#define LOGBOOK_STATUS_CONCAT(a, b) LOGBOOK_STATUS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                      \
  do {                                                             \
    ::absl::Status logbook_status_ = (expr);                       \
    if (!logbook_status_.ok()) return logbook_status_;             \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr)                                          \
  auto LOGBOOK_STATUS_CONCAT(logbook_or_, __LINE__) = (expr);                \
  if (!LOGBOOK_STATUS_CONCAT(logbook_or_, __LINE__).ok())                    \
    return LOGBOOK_STATUS_CONCAT(logbook_or_, __LINE__).status();            \
  lhs = std::move(*LOGBOOK_STATUS_CONCAT(logbook_or_, __LINE__))

#include <string_view>

namespace logbook::core {

// Debian's abseil has its own string_view type; this bridges a status message
// to std::string_view without copying.
inline std::string_view MessageOf(const absl::Status& status) {
  const auto message = status.message();
  return std::string_view(message.data(), message.size());
}

}  // namespace logbook::core
