#include "net/eureka/fragment_documents.h"

#include "core/status.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {
namespace {

constexpr std::string_view kComma = ",";

PartRef TextPartOf(std::string text, const PartReuse& reuse) {
  return reuse.Reuse(DocumentPart{std::move(text), {}, {}, {}});
}

// {"name":..,"instance":[ fragment , fragment ]}
PartRef ApplicationPart(const ApplicationView& application, FragmentCache& fragments,
                        const PartReuse& reuse) {
  DocumentPart part;
  JsonWriter writer(&part.head);
  writer.BeginObject();
  writer.Key("name");
  writer.String(application.name);
  writer.Key("instance");
  writer.BeginArray();
  part.separator = kComma;
  part.tail = "]}";
  part.fragments.reserve(application.instances.size());
  for (const InstanceView& instance : application.instances) {
    LOGBOOK_CHECK(instance.record != nullptr);
    // Fragments carry the record's own actionType; a view that shows
    // another one (none of the cached documents does) is encoded in place.
    if (instance.action == instance.record->action_type) {
      part.fragments.push_back(fragments.Json(*instance.record));
    } else {
      std::string json;
      JsonWriter instance_writer(&json);
      WriteInstanceObject(instance.record->info, ShownLease(*instance.record), instance.action,
                          instance_writer);
      part.fragments.push_back(std::make_shared<const std::string>(std::move(json)));
    }
  }
  return reuse.Reuse(std::move(part));
}

}  // namespace

DocumentParts ApplicationsJsonParts(const ApplicationsDocument& document, FragmentCache& fragments,
                                    const PartReuse& reuse) {
  // The envelope as the encoder writes it, cut where the first application
  // object would start: before it the head, after it the tail.
  std::string envelope;
  JsonWriter writer(&envelope);
  std::size_t cut = std::string::npos;
  WriteApplicationsEnvelope(document, writer, [&](const ApplicationView&) {
    if (cut == std::string::npos) cut = envelope.size();
  });
  DocumentParts parts;
  if (cut == std::string::npos) {
    parts.push_back(TextPartOf(std::move(envelope), reuse));
    return parts;
  }
  parts.reserve(2 * document.applications.size() + 1);
  parts.push_back(TextPartOf(envelope.substr(0, cut), reuse));
  // One separator part for the whole document: compressed once.
  const PartRef comma = TextPartOf(std::string(kComma), reuse);
  for (const ApplicationView& application : document.applications) {
    if (parts.size() > 1) parts.push_back(comma);
    parts.push_back(ApplicationPart(application, fragments, reuse));
  }
  parts.push_back(TextPartOf(envelope.substr(cut), reuse));
  return parts;
}

DocumentParts ApplicationJsonParts(const ApplicationView& application, FragmentCache& fragments,
                                   const PartReuse& reuse) {
  return {TextPartOf(R"({"application":)", reuse), ApplicationPart(application, fragments, reuse),
          TextPartOf("}", reuse)};
}

}  // namespace logbook::net::eureka
