#pragma once
// What the JSON and XML registration fuzzers share: decode a body, validate
// it as E1 does, and check that the codec is a fixpoint after one pass.
//
// The first pass may normalize (a lease interval <= 0 is written as the
// default, an Amazon instance-id fixes up the id), so the invariant is that
// what the writer produced reads back to the instance it was written from.
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/instance.h"
#include "net/eureka/documents.h"
#include "net/eureka/registration_validation.h"
#include "tests/fuzz/fuzz_check.h"

namespace logbook::fuzz {

inline constexpr core::TimestampMs kFuzzNowMs = 1718000000000;

inline bool OkOrInvalidArgument(const absl::Status& status) {
  return status.ok() || status.code() == absl::StatusCode::kInvalidArgument;
}

// `read`: (body, now) -> StatusOr<InstanceInfo>; `write`: InstanceView -> body.
template <typename Read, typename Write>
void CheckRegistration(std::string_view body, Read read, Write write) {
  absl::StatusOr<core::InstanceInfo> parsed = read(body, kFuzzNowMs);
  FUZZ_CHECK(OkOrInvalidArgument(parsed.status()));
  if (!parsed.ok()) return;

  core::InstanceRecord record;
  record.info = *parsed;
  // The path's app as a client would send it: the body's own, so the
  // validator gets past the mismatch check to the rules after it.
  const std::string path_app = record.info.app;
  const std::optional<std::string> rejection =
      net::eureka::ValidateRegistration(record.info, path_app);
  if (rejection.has_value()) {
    FUZZ_CHECK(!rejection->empty());
    return;
  }

  const std::string first = write(net::eureka::InstanceView{&record});
  absl::StatusOr<core::InstanceInfo> reread = read(first, kFuzzNowMs);
  FUZZ_CHECK(reread.ok());
  core::InstanceRecord second_record;
  second_record.info = *reread;
  const std::string second = write(net::eureka::InstanceView{&second_record});
  absl::StatusOr<core::InstanceInfo> third = read(second, kFuzzNowMs);
  FUZZ_CHECK(third.ok());
  FUZZ_CHECK(*third == *reread);
  FUZZ_CHECK(second == write(net::eureka::InstanceView{&second_record}));
}

}  // namespace logbook::fuzz
