#pragma once
// Serves the embedded dashboard: GET / (the page), /dashboard.js and
// /dashboard.css, with an ETag so a browser revalidates cheaply (304) and
// always sees the page of the binary it talks to.
#include <string_view>

#include "net/http_message.h"

namespace logbook::net {

// Whether `path` names an embedded dashboard file ("/" is the page).
bool IsDashboardPath(std::string_view path);

// The response for a request to a dashboard path (200, 304 or 405).
HttpResponse ServeDashboard(const HttpRequest& request);

}  // namespace logbook::net
