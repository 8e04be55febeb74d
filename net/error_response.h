#pragma once
// The one place that turns refusals into HTTP: status code plus the JSON
// error body of logbook-interface.md ({"error": "...", "detail": "..."}).
#include <string_view>

#include "core/decide.h"
#include "net/http_message.h"

namespace logbook::net {

HttpResponse ErrorResponse(int status, std::string_view error, std::string_view detail = {});

// HTTP status for a decision outcome other than OK (404, 409).
int StatusForOutcome(core::Outcome outcome);

}  // namespace logbook::net
