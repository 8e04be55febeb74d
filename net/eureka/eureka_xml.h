#pragma once
// Eureka's XML wire format (XStream shape, §3.6): writer and reader (expat).
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/ids.h"
#include "core/instance.h"
#include "net/eureka/documents.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {

// Full: XStream's pretty layout. Compact (§3.5): the mini codec's fields,
// no line breaks, versions__delta and apps__hashcode after the applications.
std::string WriteApplicationsXml(const ApplicationsDocument& document,
                                 PayloadFlavour flavour = PayloadFlavour::kFull);
std::string WriteApplicationXml(const ApplicationView& application,
                                PayloadFlavour flavour = PayloadFlavour::kFull);
std::string WriteInstanceXml(const InstanceView& instance);

// The pieces of the documents above, shared by those encoders and the
// fragment assembler (net/eureka/fragment_documents.h), whose bytes must be
// the same: the applications envelope (versions__delta, apps__hashcode),
// with `write_application` called for each application in order, and one
// application element, with `write_instance` called for each instance.
void WriteApplicationsXmlEnvelope(
    const ApplicationsDocument& document, XmlWriter& xml,
    absl::FunctionRef<void(const ApplicationView&)> write_application,
    PayloadFlavour flavour = PayloadFlavour::kFull);
void WriteApplicationElement(const ApplicationView& application, XmlWriter& xml,
                             absl::FunctionRef<void(const InstanceView&)> write_instance);
// The <instance> element: leaseInfo interval and duration from `info`, its
// timestamps from `lease` (XML twin of WriteInstanceObject).
void WriteInstanceElement(const core::InstanceInfo& info, const core::Lease& lease,
                          core::ActionType action, XmlWriter& xml);
// The compact <instance> element (§3.5; XML twin of WriteCompactInstanceObject).
void WriteCompactInstanceElement(const core::InstanceInfo& info, core::ActionType action,
                                 XmlWriter& xml);
// The <instance> element as the applications / application documents of
// `flavour` show it (full: with ShownLease).
void WriteDocumentInstanceXml(const InstanceView& instance, PayloadFlavour flavour,
                              XmlWriter& xml);
// The layout of `flavour`'s XML documents.
XmlLayout LayoutOf(PayloadFlavour flavour);

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
