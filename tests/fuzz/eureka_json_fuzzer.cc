// The Eureka JSON decoders (net/eureka/eureka_json_reader.cc): a registration
// body (E1) and a replication batch (E14), then E1's validation. Any input
// gives a value or InvalidArgument; a valid registration survives writing
// and reading back (tests/fuzz/registration_round_trip.h).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "net/eureka/eureka_json.h"
#include "tests/fuzz/registration_round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace logbook;  // NOLINT
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  fuzz::CheckRegistration(body, net::eureka::ReadInstanceJson, [](net::eureka::InstanceView view) {
    return net::eureka::WriteInstanceJson(view);
  });

  absl::StatusOr<std::vector<net::eureka::ReplicationItem>> batch =
      net::eureka::ReadReplicationBatchJson(body, fuzz::kFuzzNowMs);
  FUZZ_CHECK(fuzz::OkOrInvalidArgument(batch.status()));
  if (batch.ok()) {
    for (net::eureka::ReplicationItem& item : *batch) {
      if (!item.instance_info.has_value()) continue;
      FUZZ_CHECK(fuzz::OkOrInvalidArgument(item.instance_info->status()));
      if (item.instance_info->ok()) {
        (void)net::eureka::ValidateRegistration(**item.instance_info, item.app_name);
      }
    }
  }
  return 0;
}
