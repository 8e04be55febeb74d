// The Eureka XML registration decoder (net/eureka/eureka_xml_reader.cc, on
// expat), then E1's validation. Any input gives a value or InvalidArgument; a
// valid registration survives writing and reading back
// (tests/fuzz/registration_round_trip.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "net/eureka/eureka_xml.h"
#include "tests/fuzz/registration_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace logbook;  // NOLINT
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  fuzz::CheckRegistration(body, net::eureka::ReadInstanceXml, [](net::eureka::InstanceView view) {
    return net::eureka::WriteInstanceXml(view);
  });
  return 0;
}
