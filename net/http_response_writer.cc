#include "net/http_response_writer.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "net/http_ascii.h"

namespace logbook::net {
namespace {

bool IsSafeValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Date");
}

}  // namespace

bool ResponseHasBody(int status, bool head_request) {
  if (head_request) return false;
  return !(status < 200 || status == 204 || status == 304);
}

std::string SerializeResponseHead(const HttpResponse& response, const ResponseFraming& framing) {
  std::string out;
  out.reserve(128 + 32 * response.headers.size());
  AppendResponseHead(response, framing, &out);
  return out;
}

void AppendResponseHead(const HttpResponse& response, const ResponseFraming& framing,
                        std::string* out_string) {
  std::string& out = *out_string;
  int status = response.status;
  if (status < 100 || status > 599) status = 500;
  absl::StrAppend(&out, "HTTP/1.1 ", status, " ");
  out.append(ReasonPhrase(status));
  out.append("\r\nDate: ");
  out.append(framing.date);
  out.append("\r\n");
  for (const auto& [name, value] : response.headers) {
    if (IsFramingHeader(name) || !IsHttpToken(name) || !IsSafeValue(value)) {
      continue;
    }
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  // 1xx and 204 must not carry Content-Length (RFC 9110 §8.6); a 304's would
  // describe the cached representation, which we don't know.
  if (status >= 200 && status != 204 && status != 304) {
    absl::StrAppend(&out, "Content-Length: ", response.BodySize(), "\r\n");
  }
  if (framing.close) {
    out.append("Connection: close\r\n");
  } else if (framing.keep_alive_header) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

std::string_view HttpDate::Now() {
  std::time_t now = std::time(nullptr);
  if (now == second_) return text_;
  second_ = now;
  std::tm tm{};
  gmtime_r(&now, &tm);
  // Spelled out rather than strftime("%a"), which follows the C locale.
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  text_ = absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                          kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return text_;
}

}  // namespace logbook::net
