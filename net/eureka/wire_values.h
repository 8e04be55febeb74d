#pragma once
// Scalar rules shared by the Eureka JSON and XML readers, so both formats
// accept exactly the same spellings (eureka-protocol.md §3.4, §3.6).
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/instance.h"

namespace logbook::net::eureka {

// Decimal integer text as Java's Long.parseLong takes it: optional sign, digits,
// nothing else. nullopt when malformed or out of range.
std::optional<std::int64_t> ParseDecimalInt64(std::string_view text);
std::optional<std::int32_t> ParseDecimalInt32(std::string_view text);

// Java's Boolean.parseBoolean: "true" in any letter case; anything else is false.
bool ParseJavaBoolean(std::string_view text);

// Makes a data center read from the wire canonical: `amazon` says whether the
// body chose the AWS type (by @class or by name, case-insensitively), which
// fixes its name to "Amazon"; other types carry no metadata. class_name is
// then the one the writers emit, so a round trip is the identity.
void NormalizeDataCenter(bool amazon, core::DataCenterInfo& data_center);

// True when `name` is "Amazon" in any letter case.
bool IsAmazonName(std::string_view name);

}  // namespace logbook::net::eureka
