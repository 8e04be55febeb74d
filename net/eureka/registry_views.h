#pragma once
// Builds the documents of the cached read endpoints (E7, E8, E9, E12, E13)
// as views onto the registry: no instance is copied.
#include <optional>
#include <string_view>

#include "core/registry.h"
#include "net/eureka/documents.h"

namespace logbook::net::eureka {

// E7: every instance of every status; versions__delta "1".
ApplicationsDocument FullRegistryDocument(const core::Registry& registry);

// E9: nullopt when the app has no instances (404).
std::optional<ApplicationView> ApplicationDocument(const core::Registry& registry,
                                                   std::string_view app);

// E12/E13: instances whose (secure) VIP list names `vip`; versions__delta "-1";
// hashcode over the matching instances only.
ApplicationsDocument VipDocument(const core::Registry& registry, std::string_view vip,
                                 bool secure);

// How many touches of the delta window are inside it at now_ms: with the
// shown version, what identifies a delta document.
std::uint64_t DeltaWindowEntries(const core::Registry& registry, core::TimestampMs now_ms);

// E8: instances touched in the delta window; hashcode of the full registry.
ApplicationsDocument DeltaDocument(const core::Registry& registry, core::TimestampMs now_ms,
                                   std::uint64_t versions_delta);

}  // namespace logbook::net::eureka
