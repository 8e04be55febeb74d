#include "net/http_error_response.h"

#include <string>

#include "net/error_response.h"
#include "net/http_ascii.h"

namespace logbook::net {

HttpResponse MakeErrorResponse(int status, std::string_view detail) {
  std::string error(ReasonPhrase(status));
  for (char& c : error) c = AsciiLower(c);
  return ErrorResponse(status, error, detail);
}

}  // namespace logbook::net
