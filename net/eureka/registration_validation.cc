#include "net/eureka/registration_validation.h"

#include "absl/strings/str_cat.h"
#include "net/eureka/text.h"

namespace logbook::net::eureka {
namespace {

// Eureka's ApplicationResource.isBlank: null or empty. A whitespace-only
// value is not blank there, so it is not here either.
bool IsBlank(std::string_view text) { return text.empty(); }

// Spring Cloud's CloudJacksonJson fix-up (E1): a client that put its id only
// in metadata.instanceId gets it as instanceId, prefixed with the host name
// unless it already starts with it (legacy "Angel" clients).
void ApplySpringInstanceIdFixUp(core::InstanceInfo& instance) {
  if (instance.instance_id.has_value()) return;
  const auto it = instance.metadata.find("instanceId");
  if (it == instance.metadata.end() || it->second.empty()) return;
  const std::string_view id = it->second;
  if (id.starts_with(instance.host_name.view())) {
    instance.instance_id = it->second;
  } else {
    instance.instance_id = Concat({instance.host_name, ":", id});
  }
}

std::string InvalidName(std::string_view field) {
  return Concat({"Invalid ", field, ": contains control characters or invalid UTF-8"});
}

}  // namespace

std::optional<std::string> ValidateRegistration(core::InstanceInfo& instance,
                                                std::string_view path_app) {
  ApplySpringInstanceIdFixUp(instance);

  // E1 step 2, in Eureka's order; the first failure wins.
  // A view of `instance`: only the Amazon metadata below changes, and only
  // when the id is not taken from it.
  const std::string_view effective_id = instance.EffectiveId();
  const std::string expected_app = core::ToUpperAscii(path_app);
  if (IsBlank(effective_id)) return "Missing instanceId";
  if (IsBlank(instance.host_name)) return "Missing hostname";
  if (IsBlank(instance.ip_addr)) return "Missing ip address";
  if (IsBlank(instance.app)) return "Missing appName";
  if (instance.app != expected_app) {
    return absl::StrCat("Mismatched appName, expecting ", expected_app, " but was ", instance.app);
  }
  if (!instance.has_data_center) return "Missing dataCenterInfo";
  if (instance.data_center.name.empty()) return "Missing dataCenterInfo Name";

  // Logbook's own rule: these strings become registry keys and reach logs,
  // the dashboard and the audit history.
  if (!core::IsValidName(effective_id)) return InvalidName("instanceId");
  if (!core::IsValidName(instance.app)) return InvalidName("appName");
  // An empty VIP is "no VIP" to every client, so only non-empty ones are checked.
  if (instance.vip_address.has_value() && !instance.vip_address->empty() &&
      !core::IsValidName(*instance.vip_address)) {
    return InvalidName("vipAddress");
  }
  if (instance.secure_vip_address.has_value() && !instance.secure_vip_address->empty() &&
      !core::IsValidName(*instance.secure_vip_address)) {
    return InvalidName("secureVipAddress");
  }

  // Eureka fills a blank Amazon instance-id with the effective id, so the AWS
  // metadata always names the registry key.
  if (instance.data_center.IsAmazon()) {
    core::CompactString& amazon_id = instance.data_center.metadata["instance-id"];
    if (amazon_id.empty()) amazon_id = effective_id;
  }
  return std::nullopt;
}

}  // namespace logbook::net::eureka
