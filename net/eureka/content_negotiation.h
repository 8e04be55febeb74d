#pragma once
// Content negotiation exactly as eureka-protocol.md §1.2 and §1.3 (with
// Part A: gzip only when Accept-Encoding asks for it, on both mounts).
#include <optional>
#include <string_view>

#include "net/eureka/documents.h"

namespace logbook::net::eureka {

enum class WireFormat { kJson, kXml };

// Cached read endpoints (/apps, /apps/delta, /apps/{APP}, /vips, /svips):
// JSON if Accept contains "json" anywhere, else XML.
WireFormat CachedReadFormat(std::string_view accept);

// Cached read endpoints: X-Eureka-Accept "compact" (any case) asks for the
// compact flavour (§3.5); anything else, or no header, for the full one.
PayloadFlavour CachedReadFlavour(std::string_view x_eureka_accept);

// Entity endpoints (/apps/{APP}/{ID}, /instances/{ID}, 409 bodies): JAX-RS
// negotiation with XML first. Missing or */* -> XML; a list naming neither
// JSON nor XML (nor a wildcard) -> nullopt, which answers 406.
std::optional<WireFormat> EntityFormat(std::string_view accept);

// True when a cached read endpoint must answer 406: Accept names only types
// it cannot produce (e.g. "text/html"). Missing Accept is fine.
bool CachedReadNotAcceptable(std::string_view accept);

// Request bodies: application/json or application/xml (also text/xml), with
// an optional charset of UTF-8 or ISO-8859-1. Anything else -> nullopt (415).
std::optional<WireFormat> RequestBodyFormat(std::string_view content_type);

// Accept-Encoding mentions gzip.
bool AcceptsGzip(std::string_view accept_encoding);

std::string_view ContentTypeOf(WireFormat format);  // "application/json" / "application/xml"

}  // namespace logbook::net::eureka
