#include "net/error_response.h"

#include <string>

#include "net/eureka/json_writer.h"

namespace logbook::net {

HttpResponse ErrorResponse(int status, std::string_view error, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  eureka::JsonWriter writer(&response.body);
  writer.BeginObject();
  writer.Key("error");
  writer.String(error);
  if (!detail.empty()) {
    writer.Key("detail");
    writer.String(detail);
  }
  writer.EndObject();
  response.SetHeader("Content-Type", "application/json");
  return response;
}

int StatusForOutcome(core::Outcome outcome) {
  switch (outcome) {
    case core::Outcome::kOk:
      return 200;
    case core::Outcome::kNotFound:
      return 404;
    case core::Outcome::kConflict:
      return 409;
  }
  return 500;
}

}  // namespace logbook::net
