#pragma once
// gzip via libdeflate.
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace logbook::net::eureka {

std::string GzipCompress(std::string_view data);
// Fails on corrupt input or output larger than max_output_bytes.
absl::StatusOr<std::string> GzipDecompress(std::string_view data, std::size_t max_output_bytes);

}  // namespace logbook::net::eureka
