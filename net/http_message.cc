#include "net/http_message.h"

#include "net/http_ascii.h"

namespace logbook::net {

std::string_view HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

void HttpRequest::AddHeader(std::string_view name, std::string_view value) {
  if (spare_headers.empty()) {
    headers.emplace_back(name, value);
    return;
  }
  headers.push_back(std::move(spare_headers.back()));
  spare_headers.pop_back();
  headers.back().first.assign(name);
  headers.back().second.assign(value);
}

void HttpRequest::Reset() {
  method.clear();
  target.clear();
  path.clear();
  query.clear();
  for (auto& header : headers) spare_headers.push_back(std::move(header));
  headers.clear();
  // A large upload's buffer is not worth keeping for the next request.
  if (body.capacity() > 16 * 1024) {
    std::string().swap(body);
  } else {
    body.clear();
  }
  keep_alive = true;
  remote.clear();
}

bool HttpRequest::HasHeader(std::string_view name) const {
  for (const auto& header : headers) {
    if (EqualsIgnoreCase(header.first, name)) return true;
  }
  return false;
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  // Replace the first match and drop any later duplicates, so that after
  // SetHeader exactly one header of that name remains.
  bool replaced = false;
  for (auto it = headers.begin(); it != headers.end();) {
    if (!EqualsIgnoreCase(it->first, name)) {
      ++it;
      continue;
    }
    if (replaced) {
      it = headers.erase(it);
      continue;
    }
    it->first = name;
    it->second = std::move(value);
    replaced = true;
    ++it;
  }
  if (!replaced) headers.emplace_back(std::move(name), std::move(value));
}

namespace {

struct StatusReason {
  int status;
  std::string_view reason;
};

// RFC 9110 §15 wording, except 413 keeps the older "Payload Too Large" that
// most clients and proxies still print.
constexpr StatusReason kReasons[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {204, "No Content"},
    {206, "Partial Content"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {408, "Request Timeout"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Payload Too Large"},
    {414, "URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Range Not Satisfiable"},
    {417, "Expectation Failed"},
    {422, "Unprocessable Content"},
    {426, "Upgrade Required"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
    {505, "HTTP Version Not Supported"},
};

}  // namespace

std::string_view ReasonPhrase(int status) {
  for (const StatusReason& entry : kReasons) {
    if (entry.status == status) return entry.reason;
  }
  return "Unknown";
}

}  // namespace logbook::net
