#pragma once
// The documents of the cached reads (full registry, per-app, VIP; full or
// compact flavour), assembled from per-instance fragments: byte for byte
// what the encoders
// (WriteApplicationsJson / WriteApplicationJson, WriteApplicationsXml /
// WriteApplicationXml) write for the same views, but each instance is copied
// from its fragment instead of encoded.
#include <string>

#include "net/eureka/documents.h"
#include "net/eureka/fragment_cache.h"

namespace logbook::net::eureka {

// {"applications":{...}}
std::string AssembleApplicationsJson(const ApplicationsDocument& document,
                                     FragmentCache& fragments,
                                     PayloadFlavour flavour = PayloadFlavour::kFull);
// {"application":{"name":..,"instance":[..]}}
std::string AssembleApplicationJson(const ApplicationView& application, FragmentCache& fragments,
                                    PayloadFlavour flavour = PayloadFlavour::kFull);

// <applications>...</applications>
std::string AssembleApplicationsXml(const ApplicationsDocument& document,
                                    FragmentCache& fragments,
                                    PayloadFlavour flavour = PayloadFlavour::kFull);
// <application>...</application>
std::string AssembleApplicationXml(const ApplicationView& application, FragmentCache& fragments,
                                   PayloadFlavour flavour = PayloadFlavour::kFull);

}  // namespace logbook::net::eureka
