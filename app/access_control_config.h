#pragma once
// Builds the node's access control (net/access_control.h) from the config,
// the users file and the environment, and the credentials it sends to peers.
// Errors name the file and line (never the secret on it).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "net/access_control.h"

namespace logbook::app {

// Reads one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
// The process environment (getenv).
EnvLookup ProcessEnvironment();

// Roles given by the environment: "user:password" each.
inline constexpr const char* kClientCredentialsEnv = "LOGBOOK_AUTH_CLIENT";
inline constexpr const char* kPeerCredentialsEnv = "LOGBOOK_AUTH_PEER";
inline constexpr const char* kAdminCredentialsEnv = "LOGBOOK_AUTH_ADMIN";

// The users file: one `user:role[,role]:secret` per line, secret being
// `sha256:<64 hex digits>` (of the password) or `plain:<password>`; '#'
// comments and blank lines are skipped. `source` names the file in errors.
absl::StatusOr<std::vector<net::AccessUser>> ParseUsers(std::string_view text,
                                                        std::string_view source);

struct AccessControlSetup {
  net::AccessControlOptions options;
  // Things the operator should hear about but that do not stop the node
  // (a users file others can read).
  std::vector<std::string> warnings;
};

// The users of the file and of LOGBOOK_AUTH_*; a user named in both gets the
// union of the roles (the passwords must then be the same). Enabled without
// any user is an error: nobody could do anything.
absl::StatusOr<AccessControlSetup> AccessControlFrom(const Config& config, const EnvLookup& env);

// The Authorization header value for peers whose URL carries no
// credentials: logbook.auth.peer-credentials, else LOGBOOK_AUTH_PEER, else "".
std::string PeerAuthorizationFrom(const Config& config, const EnvLookup& env);

}  // namespace logbook::app
