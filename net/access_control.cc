#include "net/access_control.h"

#include <utility>

#include "net/basic_auth.h"
#include "net/error_response.h"

namespace logbook::net {
namespace {

constexpr std::string_view kChallenge = "Basic realm=\"logbook\"";

// Compared against when the user is unknown, so that an unknown name costs
// the same hash and compare as a wrong password.
const PasswordDigest& UnknownUserDigest() {
  static const PasswordDigest digest = Sha256("logbook: no such user");
  return digest;
}

std::string_view ReasonFor(AuthRejection rejection) {
  switch (rejection) {
    case AuthRejection::kMissing:
      return "credentials required (HTTP Basic)";
    case AuthRejection::kMalformed:
      return "malformed Authorization header (expected Basic base64(user:password))";
    case AuthRejection::kBadCredentials:
      return "unknown user or wrong password";
    case AuthRejection::kForbidden:
      return "";  // built with the operation and the roles
  }
  return "";
}

std::string RoleNames(RoleSet roles) {
  std::string names;
  for (const auto& [bit, name] : {std::pair{kRoleClient, "client"}, std::pair{kRolePeer, "peer"},
                                  std::pair{kRoleAdmin, "admin"}}) {
    if ((roles & bit) == 0) continue;
    if (!names.empty()) names += " or ";
    names += name;
  }
  return names;
}

}  // namespace

std::string_view AuthRejectionName(AuthRejection rejection) {
  switch (rejection) {
    case AuthRejection::kMissing:
      return "missing";
    case AuthRejection::kMalformed:
      return "malformed";
    case AuthRejection::kBadCredentials:
      return "bad_credentials";
    case AuthRejection::kForbidden:
      return "forbidden";
  }
  return "unknown";
}

AccessControl::AccessControl(AccessControlOptions options, Logger& logger)
    : options_(std::move(options)), logger_(logger) {
  for (const AccessUser& user : options_.users) users_by_name_.emplace(user.name, &user);
}

std::optional<HttpResponse> AccessControl::Check(const std::optional<Route>& route,
                                                 const HttpRequest& request) {
  if (!options_.enabled) return std::nullopt;
  const AccessRule rule = AccessRuleFor(route, request);
  if (rule.open) return std::nullopt;
  const std::string_view header = request.Header("Authorization");
  if (!request.HasHeader("Authorization")) {
    if (rule.anonymous_read && options_.anonymous_read) return std::nullopt;
    return Reject(AuthRejection::kMissing, request, rule, {});
  }
  const std::optional<BasicCredentials> credentials = ParseBasicAuthorization(header);
  if (!credentials.has_value()) return Reject(AuthRejection::kMalformed, request, rule, {});

  const auto found = users_by_name_.find(credentials->user);
  const AccessUser* user = found == users_by_name_.end() ? nullptr : found->second;
  const PasswordDigest presented = Sha256(credentials->password);
  const bool password_ok =
      DigestsEqual(presented, user == nullptr ? UnknownUserDigest() : user->password_sha256);
  if (user == nullptr || !password_ok) {
    return Reject(AuthRejection::kBadCredentials, request, rule, {});
  }
  if ((user->roles & rule.roles) == 0) {
    return Reject(AuthRejection::kForbidden, request, rule, user->name);
  }
  return std::nullopt;
}

HttpResponse AccessControl::Reject(AuthRejection rejection, const HttpRequest& request,
                                   const AccessRule& rule, std::string_view user) {
  rejections_[static_cast<std::size_t>(rejection)].fetch_add(1, std::memory_order_relaxed);
  std::string forbidden_reason;
  if (rejection == AuthRejection::kForbidden) {
    forbidden_reason = std::string("user '").append(user).append("' may not do ");
    forbidden_reason.append(rule.operation).append(" (needs ").append(RoleNames(rule.roles));
    forbidden_reason.append(")");
  }
  const std::string_view reason =
      rejection == AuthRejection::kForbidden ? std::string_view(forbidden_reason)
                                             : ReasonFor(rejection);
  // Never the header: it is the password, barely encoded.
  logger_.Debug("auth rejected", {{"method", request.method},
                                  {"path", request.path},
                                  {"remote", request.remote},
                                  {"rejection", AuthRejectionName(rejection)},
                                  {"user", user},
                                  {"operation", rule.operation}});
  if (rejection == AuthRejection::kForbidden) return ErrorResponse(403, "forbidden", reason);
  HttpResponse response = ErrorResponse(401, "unauthorized", reason);
  response.SetHeader("WWW-Authenticate", std::string(kChallenge));
  return response;
}

std::uint64_t AccessControl::rejections(AuthRejection rejection) const {
  return rejections_[static_cast<std::size_t>(rejection)].load(std::memory_order_relaxed);
}

void AccessControl::Collect(MetricsTextWriter& writer) {
  writer.Family("logbook_auth_rejections_total", MetricType::kCounter,
                "Requests refused by Basic authentication, by reason: missing, malformed or "
                "bad_credentials (401), forbidden (403: the user lacks the role).");
  for (std::size_t i = 0; i < kAuthRejectionCount; ++i) {
    writer.Sample({{"reason", AuthRejectionName(static_cast<AuthRejection>(i))}},
                  rejections_[i].load(std::memory_order_relaxed));
  }
  writer.Family("logbook_auth_enabled", MetricType::kGauge,
                "1 when HTTP Basic authentication is on (logbook.auth.enabled).");
  writer.Sample({}, std::uint64_t{options_.enabled ? 1u : 0u});
}

}  // namespace logbook::net
