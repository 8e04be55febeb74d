#include "app/access_control_config.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "net/basic_auth.h"
#include "net/password_digest.h"
#include "net/url_credentials.h"

namespace logbook::app {
namespace {

absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }
std::string_view StdView(absl::string_view text) { return {text.data(), text.size()}; }

absl::Status LineError(std::string_view source, int line, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("users file ", AbslView(source), ":", line, ": ", AbslView(problem)));
}

bool IsValidUserName(absl::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte == 0x7f || c == ':') return false;
  }
  return true;
}

absl::StatusOr<net::RoleSet> ParseRoles(absl::string_view text) {
  net::RoleSet roles = 0;
  for (absl::string_view name : absl::StrSplit(text, ',')) {
    name = absl::StripAsciiWhitespace(name);
    const net::RoleSet role = net::RoleFromName(StdView(name));
    if (role == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown role \"", absl::CHexEscape(name), "\" (expected client, peer or admin)"));
    }
    roles |= role;
  }
  return roles;
}

absl::StatusOr<net::PasswordDigest> ParseSecret(absl::string_view secret) {
  if (absl::ConsumePrefix(&secret, "sha256:")) {
    std::optional<net::PasswordDigest> digest = net::ParseHexDigest(StdView(secret));
    if (!digest.has_value()) {
      return absl::InvalidArgumentError("sha256: must be followed by 64 hex digits");
    }
    return *digest;
  }
  if (absl::ConsumePrefix(&secret, "plain:")) {
    if (secret.empty()) return absl::InvalidArgumentError("empty password");
    return net::Sha256(StdView(secret));
  }
  return absl::InvalidArgumentError(
      "the secret must start with sha256: (64 hex digits of SHA-256(password)) or plain:");
}

// Adds `user`, or merges its roles into the user of that name already there.
absl::Status AddUser(std::vector<net::AccessUser>& users, net::AccessUser user) {
  for (net::AccessUser& known : users) {
    if (known.name != user.name) continue;
    if (!net::DigestsEqual(known.password_sha256, user.password_sha256)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "user \"", user.name, "\" is given two different passwords (users file and "
          "LOGBOOK_AUTH_*)"));
    }
    known.roles |= user.roles;
    return absl::OkStatus();
  }
  users.push_back(std::move(user));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file.is_open()) {
    const std::error_code error(errno, std::generic_category());
    return absl::InvalidArgumentError(
        absl::StrCat("logbook.auth.users-file ", path, ": cannot open: ", error.message()));
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("logbook.auth.users-file ", path, ": read error"));
  }
  return text.str();
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

absl::StatusOr<std::vector<net::AccessUser>> ParseUsers(std::string_view text,
                                                        std::string_view source) {
  std::vector<net::AccessUser> users;
  absl::flat_hash_map<std::string, int> first_line;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(AbslView(text), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    // user:roles:secret, the secret taking the rest of the line (a password
    // may contain ':'). The secret is never echoed in an error.
    const std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (parts.size() != 3) {
      return LineError(source, line_number, "expected user:role[,role]:secret");
    }
    // Spaces around the fields are ignored; after "plain:" every byte counts.
    const absl::string_view user_name = absl::StripAsciiWhitespace(parts[0]);
    if (!IsValidUserName(user_name)) {
      return LineError(source, line_number,
                       "the user name must be non-empty, printable, without spaces or ':'");
    }
    const absl::StatusOr<net::RoleSet> roles = ParseRoles(parts[1]);
    if (!roles.ok()) return LineError(source, line_number, StdView(roles.status().message()));
    const absl::StatusOr<net::PasswordDigest> digest =
        ParseSecret(absl::StripLeadingAsciiWhitespace(parts[2]));
    if (!digest.ok()) return LineError(source, line_number, StdView(digest.status().message()));
    const std::string name(user_name);
    if (const auto [it, inserted] = first_line.emplace(name, line_number); !inserted) {
      return LineError(source, line_number,
                       absl::StrCat("user \"", name, "\" already defined at line ", it->second));
    }
    users.push_back(net::AccessUser{.name = name, .password_sha256 = *digest, .roles = *roles});
  }
  return users;
}

absl::StatusOr<AccessControlSetup> AccessControlFrom(const Config& config, const EnvLookup& env) {
  AccessControlSetup setup;
  setup.options.enabled = config.auth_enabled;
  setup.options.anonymous_read = config.auth_anonymous_read;
  if (!config.auth_enabled) return setup;

  std::vector<net::AccessUser> users;
  if (!config.auth_users_file.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile(config.auth_users_file);
    if (!text.ok()) return text.status();
    absl::StatusOr<std::vector<net::AccessUser>> parsed =
        ParseUsers(*text, config.auth_users_file);
    if (!parsed.ok()) return parsed.status();
    users = std::move(*parsed);
    struct stat info{};
    if (::stat(config.auth_users_file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      setup.warnings.push_back(absl::StrCat("logbook.auth.users-file ", config.auth_users_file,
                                            " can be read by other users: chmod 600 it"));
    }
  }
  for (const auto& [variable, role] : {std::pair{kClientCredentialsEnv, net::kRoleClient},
                                       std::pair{kPeerCredentialsEnv, net::kRolePeer},
                                       std::pair{kAdminCredentialsEnv, net::kRoleAdmin}}) {
    const std::optional<std::string> value = env(variable);
    if (!value.has_value() || value->empty()) continue;
    const std::optional<net::BasicCredentials> credentials = net::ParseUserColonPassword(*value);
    if (!credentials.has_value() || !IsValidUserName(AbslView(credentials->user)) ||
        credentials->password.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(variable, ": expected user:password (non-empty user without spaces, "
                                 "non-empty password)"));
    }
    absl::Status added = AddUser(users, net::AccessUser{.name = credentials->user,
                                                         .password_sha256 =
                                                             net::Sha256(credentials->password),
                                                         .roles = role});
    if (!added.ok()) return added;
  }
  if (users.empty()) {
    return absl::InvalidArgumentError(
        "logbook.auth.enabled is true but no user is defined: set logbook.auth.users-file or "
        "LOGBOOK_AUTH_CLIENT / LOGBOOK_AUTH_PEER / LOGBOOK_AUTH_ADMIN");
  }
  setup.options.users = std::move(users);
  return setup;
}

std::string PeerAuthorizationFrom(const Config& config, const EnvLookup& env) {
  std::optional<net::BasicCredentials> credentials;
  if (!config.auth_peer_credentials.empty()) {
    credentials = net::ParseUserColonPassword(config.auth_peer_credentials);
  } else if (const std::optional<std::string> value = env(kPeerCredentialsEnv); value.has_value()) {
    credentials = net::ParseUserColonPassword(*value);
  }
  if (!credentials.has_value()) return "";
  return net::BasicAuthorization(credentials->user, credentials->password);
}

}  // namespace logbook::app
