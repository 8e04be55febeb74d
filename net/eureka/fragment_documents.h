#pragma once
// The JSON documents of the cached reads (full registry, per-app, VIP) as
// parts (document_parts.h): the envelope pieces and one part per
// application, which references its instances' fragments instead of copying
// them. Their bytes are exactly what WriteApplicationsJson /
// WriteApplicationJson write for the same views.
//
// An XML assembly plugs in the same way: parts whose head and tail are the
// format's, with the format's fragments.
#include "net/eureka/document_parts.h"
#include "net/eureka/documents.h"
#include "net/eureka/fragment_cache.h"

namespace logbook::net::eureka {

// {"applications":{...}}. `reuse` hands back the previous version's parts
// that did not change.
DocumentParts ApplicationsJsonParts(const ApplicationsDocument& document, FragmentCache& fragments,
                                    const PartReuse& reuse);
// {"application":{"name":..,"instance":[..]}}
DocumentParts ApplicationJsonParts(const ApplicationView& application, FragmentCache& fragments,
                                   const PartReuse& reuse);

}  // namespace logbook::net::eureka
