#pragma once
// What the Eureka writers render: views onto registry records, so building a
// document copies no instance.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/instance.h"

namespace logbook::net::eureka {

struct InstanceView {
  const core::InstanceRecord* record = nullptr;
  core::ActionType action = core::ActionType::kAdded;  // shown as actionType
};

struct ApplicationView {
  std::string name;
  std::vector<InstanceView> instances;
};

// leaseInfo.lastRenewalTimestamp as the applications / application documents
// show it (README, "lastRenewalTimestamp in cached documents"): the time of
// the instance's last change (lastUpdatedTimestamp), never later than its real
// last renewal. A bare renewal changes neither, so it leaves every document,
// and every node's copy of it, byte for byte as it was; the entity endpoints
// (E10, E11) show the live value.
inline core::TimestampMs ShownRenewalTimestamp(const core::InstanceRecord& record) {
  return std::min(record.info.last_updated_timestamp, record.lease.last_renewal_timestamp);
}
// The record's lease as the cached documents show it.
inline core::Lease ShownLease(const core::InstanceRecord& record) {
  core::Lease lease = record.lease;
  lease.last_renewal_timestamp = ShownRenewalTimestamp(record);
  return lease;
}

// What X-Eureka-Accept asks the cached read endpoints for (§1.2, §3.5).
enum class PayloadFlavour { kFull, kCompact };

// The Amazon metadata keys the compact flavour keeps (§3.5).
inline constexpr std::array<std::string_view, 5> kCompactAmazonMetadataKeys = {
    "instance-id", "public-ipv4", "public-hostname", "local-ipv4", "availability-zone"};
// `data_center` as the compact flavour shows it: Amazon metadata reduced to
// kCompactAmazonMetadataKeys.
inline core::DataCenterInfo CompactDataCenter(const core::DataCenterInfo& data_center) {
  core::DataCenterInfo compact = data_center;
  erase_if(compact.metadata, [](const auto& entry) {
    return std::find(kCompactAmazonMetadataKeys.begin(), kCompactAmazonMetadataKeys.end(),
                     entry.first.view()) == kCompactAmazonMetadataKeys.end();
  });
  return compact;
}

// The `applications` document (§3.2 full registry, delta, VIP documents).
struct ApplicationsDocument {
  std::string versions_delta = "1";
  std::string apps_hashcode;
  std::vector<ApplicationView> applications;  // output order
};

}  // namespace logbook::net::eureka
