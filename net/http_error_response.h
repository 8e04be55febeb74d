#pragma once
// The JSON error responses the HTTP layer produces on its own (parse errors,
// limits, timeouts): {"error": "...", "detail": "..."}.
#include <string_view>

#include "net/http_message.h"

namespace logbook::net {

// `error` is the lower-cased reason phrase ("bad request"); `detail` says
// what was wrong, e.g. llhttp's reason or the limit that tripped.
HttpResponse MakeErrorResponse(int status, std::string_view detail);

}  // namespace logbook::net
