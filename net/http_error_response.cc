#include "net/http_error_response.h"

#include <string>

#include "absl/strings/str_format.h"
#include "net/http_ascii.h"

namespace logbook::net {
namespace {

// The two strings here are short and mostly static; a JSON writer would be
// overkill, but a detail can quote client bytes, so escape fully.
void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20 || u >= 0x80) {
          // Non-ASCII is escaped too: the detail may hold invalid UTF-8.
          absl::StrAppendFormat(out, "\\u%04x", u);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

HttpResponse MakeErrorResponse(int status, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = "{\"error\":";
  std::string error(ReasonPhrase(status));
  for (char& c : error) c = AsciiLower(c);
  AppendJsonString(&response.body, error);
  response.body.append(",\"detail\":");
  AppendJsonString(&response.body, detail);
  response.body.push_back('}');
  return response;
}

}  // namespace logbook::net
