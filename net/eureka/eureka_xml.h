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

// <error><message>...</message></error>: E1's 400 body for a request body
// that is not exactly application/json.
std::string WriteErrorXml(std::string_view message);

// Parses <instance>...</instance> with the same defaults as ReadInstanceJson.
absl::StatusOr<core::InstanceInfo> ReadInstanceXml(std::string_view body,
                                                   core::TimestampMs now_ms);

// XStream's element-name coder (§3.6): `$` -> `_-`, `_` -> `__`, and any
// character that may not appear there in an XML name -> `_.` plus four hex
// digits per UTF-16 unit. Always yields a valid, namespace-free XML name
// (empty input gives empty output, which callers must not write).
std::string EncodeXmlName(std::string_view name);
// The inverse; unknown escapes are kept literally.
std::string DecodeXmlName(std::string_view name);

}  // namespace logbook::net::eureka
