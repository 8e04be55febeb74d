#include "net/eureka/fragment_documents.h"

#include "core/status.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/json_writer.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {
namespace {

std::string_view JsonFragment(const core::InstanceRecord& record, PayloadFlavour flavour,
                              FragmentCache& fragments) {
  return flavour == PayloadFlavour::kCompact ? fragments.CompactJson(record)
                                             : fragments.Json(record);
}

std::string_view XmlFragment(const core::InstanceRecord& record, PayloadFlavour flavour,
                             int depth, FragmentCache& fragments) {
  return flavour == PayloadFlavour::kCompact ? fragments.CompactXml(record)
                                             : fragments.Xml(record, depth);
}

// Sized first (this also refreshes every stale fragment), so a document is
// built in one allocation: ~10 MB at 10,000 instances.
std::size_t JsonFragmentBytes(const ApplicationView& application, PayloadFlavour flavour,
                              FragmentCache& fragments) {
  std::size_t bytes = 64 + application.name.size();
  for (const InstanceView& instance : application.instances) {
    bytes += JsonFragment(*instance.record, flavour, fragments).size() + 1;
  }
  return bytes;
}

std::size_t XmlFragmentBytes(const ApplicationView& application, PayloadFlavour flavour,
                             int depth, FragmentCache& fragments) {
  std::size_t bytes = 64 + application.name.size();
  for (const InstanceView& instance : application.instances) {
    bytes += XmlFragment(*instance.record, flavour, depth, fragments).size();
  }
  return bytes;
}

void AppendApplicationObject(const ApplicationView& application, PayloadFlavour flavour,
                             FragmentCache& fragments, JsonWriter& writer) {
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
      writer.Raw(JsonFragment(*instance.record, flavour, fragments));
    } else {
      WriteDocumentInstanceObject(instance, flavour, writer);
    }
  }
  writer.EndArray();
  writer.EndObject();
}

// Copies the instance's fragment into `xml`, at the writer's depth.
void AppendInstanceXml(const InstanceView& instance, PayloadFlavour flavour,
                       FragmentCache& fragments, XmlWriter& xml) {
  LOGBOOK_CHECK(instance.record != nullptr);
  if (instance.action == instance.record->action_type) {
    xml.Raw(XmlFragment(*instance.record, flavour, xml.depth(), fragments));
  } else {
    WriteDocumentInstanceXml(instance, flavour, xml);
  }
}

}  // namespace

std::string AssembleApplicationsJson(const ApplicationsDocument& document,
                                     FragmentCache& fragments, PayloadFlavour flavour) {
  std::size_t bytes = 128 + document.apps_hashcode.size() + document.versions_delta.size();
  for (const ApplicationView& application : document.applications) {
    bytes += JsonFragmentBytes(application, flavour, fragments);
  }
  std::string out;
  out.reserve(bytes);
  JsonWriter writer(&out);
  WriteApplicationsEnvelope(
      document, writer,
      [&](const ApplicationView& application) {
        AppendApplicationObject(application, flavour, fragments, writer);
      },
      flavour);
  return out;
}

std::string AssembleApplicationJson(const ApplicationView& application, FragmentCache& fragments,
                                    PayloadFlavour flavour) {
  std::string out;
  out.reserve(32 + JsonFragmentBytes(application, flavour, fragments));
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("application");
  AppendApplicationObject(application, flavour, fragments, writer);
  writer.EndObject();
  return out;
}

std::string AssembleApplicationsXml(const ApplicationsDocument& document,
                                    FragmentCache& fragments, PayloadFlavour flavour) {
  constexpr int kInstanceDepth = 2;  // applications > application > instance
  std::size_t bytes = 128 + document.apps_hashcode.size() + document.versions_delta.size();
  for (const ApplicationView& application : document.applications) {
    bytes += XmlFragmentBytes(application, flavour, kInstanceDepth, fragments);
  }
  std::string out;
  out.reserve(bytes);
  XmlWriter xml(&out, 0, LayoutOf(flavour));
  WriteApplicationsXmlEnvelope(
      document, xml,
      [&](const InstanceView& instance) { AppendInstanceXml(instance, flavour, fragments, xml); },
      flavour);
  return out;
}

std::string AssembleApplicationXml(const ApplicationView& application, FragmentCache& fragments,
                                   PayloadFlavour flavour) {
  constexpr int kInstanceDepth = 1;  // application > instance
  std::string out;
  out.reserve(32 + XmlFragmentBytes(application, flavour, kInstanceDepth, fragments));
  XmlWriter xml(&out, 0, LayoutOf(flavour));
  WriteApplicationElement(application, xml, [&](const InstanceView& instance) {
    AppendInstanceXml(instance, flavour, fragments, xml);
  });
  return out;
}

}  // namespace logbook::net::eureka
