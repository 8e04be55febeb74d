#pragma once
// HTTP Basic authentication in front of every endpoint: who the caller is
// (users and password digests), whether the role table (access_policy.h)
// lets them in, and the 401/403 answer when not. Rejections are counted for
// /metrics and logged at debug level, never with the credentials.
//
// Thread: Check() on the loop thread; Collect() from any thread.
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "net/access_policy.h"
#include "net/http_message.h"
#include "net/logger.h"
#include "net/metrics.h"
#include "net/password_digest.h"
#include "net/router.h"

namespace logbook::net {

struct AccessUser {
  std::string name;
  PasswordDigest password_sha256{};
  RoleSet roles = 0;
};

struct AccessControlOptions {
  // Off: every request goes through (Eureka's default).
  bool enabled = false;
  // GET/HEAD of every read endpoint but the peer pull without credentials.
  bool anonymous_read = false;
  std::vector<AccessUser> users;  // REQUIRES: names unique
};

enum class AuthRejection : std::uint8_t {
  kMissing,         // no Authorization header: 401
  kMalformed,       // not Basic, bad base64, no ':' or too long: 401
  kBadCredentials,  // unknown user or wrong password: 401
  kForbidden,       // valid user without the role: 403
};
inline constexpr std::size_t kAuthRejectionCount = 4;

// "missing", "malformed", "bad_credentials", "forbidden": metric labels.
std::string_view AuthRejectionName(AuthRejection rejection);

class AccessControl final : public MetricsCollector {
 public:
  // `logger` must outlive this object.
  AccessControl(AccessControlOptions options, Logger& logger);

  bool enabled() const { return options_.enabled; }

  // nullopt: let the request through. Otherwise the 401 (with
  // `WWW-Authenticate: Basic realm="logbook"`) or 403 to send instead.
  std::optional<HttpResponse> Check(const std::optional<Route>& route,
                                    const HttpRequest& request);

  std::uint64_t rejections(AuthRejection rejection) const;

  void Collect(MetricsTextWriter& writer) override;

 private:
  HttpResponse Reject(AuthRejection rejection, const HttpRequest& request,
                      const AccessRule& rule, std::string_view user);

  const AccessControlOptions options_;
  Logger& logger_;
  absl::flat_hash_map<std::string, const AccessUser*> users_by_name_;
  std::array<std::atomic<std::uint64_t>, kAuthRejectionCount> rejections_{};
};

}  // namespace logbook::net
