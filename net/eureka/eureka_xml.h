#pragma once
// Eureka's XML wire format (XStream shape, §3.6): writer and reader (expat).
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/ids.h"
#include "core/instance.h"
#include "net/eureka/documents.h"

namespace logbook::net::eureka {

std::string WriteApplicationsXml(const ApplicationsDocument& document);
std::string WriteApplicationXml(const ApplicationView& application);
std::string WriteInstanceXml(const InstanceView& instance);

// Parses <instance>...</instance> with the same defaults as ReadInstanceJson.
absl::StatusOr<core::InstanceInfo> ReadInstanceXml(std::string_view body,
                                                   core::TimestampMs now_ms);

}  // namespace logbook::net::eureka
