#pragma once
// The documents of the cached reads (full registry, per-app, VIP), in either
// wire format and either flavour, as parts (document_parts.h): the envelope
// pieces and one part per application, which references its instances'
// fragments (fragment_cache.h) instead of copying them. Their bytes are
// exactly what the encoders (WriteApplicationsJson / WriteApplicationJson,
// WriteApplicationsXml / WriteApplicationXml) write for the same views.
//
// One builder serves every format: a format only supplies the bytes around
// the applications and around an application's instances (written by the
// encoders' own envelope functions, cut where the contents go), its
// separators, and which fragment an instance is.
#include "net/eureka/content_negotiation.h"
#include "net/eureka/document_parts.h"
#include "net/eureka/documents.h"
#include "net/eureka/fragment_cache.h"

namespace logbook::net::eureka {

// {"applications":{...}} / <applications>...</applications>. `reuse` hands
// back the previous version's parts that did not change.
DocumentParts ApplicationsParts(const ApplicationsDocument& document, WireFormat format,
                                PayloadFlavour flavour, FragmentCache& fragments,
                                const PartReuse& reuse);
// {"application":{"name":..,"instance":[..]}} / <application>...</application>
DocumentParts ApplicationParts(const ApplicationView& application, WireFormat format,
                               PayloadFlavour flavour, FragmentCache& fragments,
                               const PartReuse& reuse);

}  // namespace logbook::net::eureka
