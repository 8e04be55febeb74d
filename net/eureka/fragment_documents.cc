#include "net/eureka/fragment_documents.h"

#include "core/status.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/json_writer.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {
namespace {

std::size_t FragmentBytes(const ApplicationView& application, FragmentCache& fragments) {
  std::size_t bytes = 64 + application.name.size();
  for (const InstanceView& instance : application.instances) {
    bytes += fragments.Json(*instance.record).size() + 1;
  }
  return bytes;
}

void AppendApplicationObject(const ApplicationView& application, FragmentCache& fragments,
                             JsonWriter& writer) {
  writer.BeginObject();
  writer.Key("name");
  writer.String(application.name);
  writer.Key("instance");
  writer.BeginArray();
  for (const InstanceView& instance : application.instances) {
    LOGBOOK_CHECK(instance.record != nullptr);
    // Fragments carry the record's own actionType; a view that shows
    // another one (none of the cached documents does) is encoded in place.
    if (instance.action == instance.record->action_type) {
      writer.Raw(fragments.Json(*instance.record));
    } else {
      WriteInstanceObject(instance.record->info, ShownLease(*instance.record), instance.action,
                          writer);
    }
  }
  writer.EndArray();
  writer.EndObject();
}

// Sized first (this also refreshes every stale fragment), so a document is
// built in one allocation.
std::size_t XmlFragmentBytes(const ApplicationView& application, int depth,
                             FragmentCache& fragments) {
  std::size_t bytes = 64 + application.name.size();
  for (const InstanceView& instance : application.instances) {
    bytes += fragments.Xml(*instance.record, depth).size();
  }
  return bytes;
}

// Copies the instance's fragment into `xml`, at the writer's depth.
void AppendInstanceXml(const InstanceView& instance, FragmentCache& fragments, XmlWriter& xml) {
  LOGBOOK_CHECK(instance.record != nullptr);
  // As for JSON: a view showing another actionType than the record's own is
  // encoded in place.
  if (instance.action == instance.record->action_type) {
    xml.Raw(fragments.Xml(*instance.record, xml.depth()));
  } else {
    WriteDocumentInstanceXml(instance, xml);
  }
}

}  // namespace

std::string AssembleApplicationsJson(const ApplicationsDocument& document,
                                     FragmentCache& fragments) {
  // Sized first (this also refreshes every stale fragment), so the document
  // is built in one allocation: ~10 MB at 10,000 instances.
  std::size_t bytes = 128 + document.apps_hashcode.size();
  for (const ApplicationView& application : document.applications) {
    bytes += FragmentBytes(application, fragments);
  }
  std::string out;
  out.reserve(bytes);
  JsonWriter writer(&out);
  WriteApplicationsEnvelope(document, writer, [&](const ApplicationView& application) {
    AppendApplicationObject(application, fragments, writer);
  });
  return out;
}

std::string AssembleApplicationJson(const ApplicationView& application, FragmentCache& fragments) {
  std::string out;
  out.reserve(32 + FragmentBytes(application, fragments));
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("application");
  AppendApplicationObject(application, fragments, writer);
  writer.EndObject();
  return out;
}

std::string AssembleApplicationsXml(const ApplicationsDocument& document,
                                    FragmentCache& fragments) {
  constexpr int kInstanceDepth = 2;  // applications > application > instance
  std::size_t bytes = 128 + document.apps_hashcode.size() + document.versions_delta.size();
  for (const ApplicationView& application : document.applications) {
    bytes += XmlFragmentBytes(application, kInstanceDepth, fragments);
  }
  std::string out;
  out.reserve(bytes);
  XmlWriter xml(&out);
  WriteApplicationsXmlEnvelope(document, xml, [&](const InstanceView& instance) {
    AppendInstanceXml(instance, fragments, xml);
  });
  return out;
}

std::string AssembleApplicationXml(const ApplicationView& application, FragmentCache& fragments) {
  constexpr int kInstanceDepth = 1;  // application > instance
  std::string out;
  out.reserve(32 + XmlFragmentBytes(application, kInstanceDepth, fragments));
  XmlWriter xml(&out);
  WriteApplicationElement(application, xml, [&](const InstanceView& instance) {
    AppendInstanceXml(instance, fragments, xml);
  });
  return out;
}

}  // namespace logbook::net::eureka
