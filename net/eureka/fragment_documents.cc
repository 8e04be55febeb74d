#include "net/eureka/fragment_documents.h"

#include <string>
#include <string_view>

#include "core/status.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/json_writer.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {
namespace {

// The bytes a format writes around some contents, cut where they go. When
// there are no contents, all of the bytes are in `head`.
struct Frame {
  std::string head;
  std::string tail;
};

Frame CutAt(std::string text, std::size_t cut) {
  if (cut == std::string::npos) return {std::move(text), {}};
  Frame frame{text.substr(0, cut), text.substr(cut)};
  return frame;
}

// What the shared part builder needs of a wire format. `depth` is how deep
// an application element sits in the document (XML's layout depends on it).
class PartFormat {
 public:
  virtual ~PartFormat() = default;
  virtual Frame ApplicationsEnvelope(const ApplicationsDocument& document) const = 0;
  // Around the one application of a per-app document.
  virtual Frame ApplicationEnvelope() const = 0;
  virtual Frame Application(const ApplicationView& application, int depth) const = 0;
  virtual std::string_view application_separator() const = 0;  // static storage
  virtual std::string_view instance_separator() const = 0;     // static storage
  // The instance as an application at `depth` shows it.
  virtual FragmentRef Instance(const InstanceView& instance, int depth,
                               FragmentCache& fragments) const = 0;
};

class JsonParts final : public PartFormat {
 public:
  explicit JsonParts(PayloadFlavour flavour) : flavour_(flavour) {}

  Frame ApplicationsEnvelope(const ApplicationsDocument& document) const override {
    std::string envelope;
    JsonWriter writer(&envelope);
    std::size_t cut = std::string::npos;
    WriteApplicationsEnvelope(
        document, writer,
        [&](const ApplicationView&) {
          if (cut == std::string::npos) cut = envelope.size();
        },
        flavour_);
    return CutAt(std::move(envelope), cut);
  }
  Frame ApplicationEnvelope() const override { return {R"({"application":)", "}"}; }
  Frame Application(const ApplicationView& application, int) const override {
    std::string object;
    JsonWriter writer(&object);
    writer.BeginObject();
    writer.Key("name");
    writer.String(application.name);
    writer.Key("instance");
    writer.BeginArray();
    const std::size_t cut = object.size();
    writer.EndArray();
    writer.EndObject();
    return CutAt(std::move(object), cut);
  }
  std::string_view application_separator() const override { return ","; }
  std::string_view instance_separator() const override { return ","; }
  FragmentRef Instance(const InstanceView& instance, int, FragmentCache& fragments) const override {
    // Fragments carry the record's own actionType; a view that shows
    // another one (none of the cached documents does) is encoded in place.
    if (instance.action == instance.record->action_type) {
      return flavour_ == PayloadFlavour::kCompact ? fragments.CompactJson(*instance.record)
                                                  : fragments.Json(*instance.record);
    }
    std::string json;
    JsonWriter writer(&json);
    WriteDocumentInstanceObject(instance, flavour_, writer);
    return Fragment::Whole(json);
  }

 private:
  PayloadFlavour flavour_;
};

class XmlParts final : public PartFormat {
 public:
  explicit XmlParts(PayloadFlavour flavour) : flavour_(flavour) {}

  Frame ApplicationsEnvelope(const ApplicationsDocument& document) const override {
    std::string envelope;
    XmlWriter xml(&envelope, 0, LayoutOf(flavour_));
    std::size_t cut = std::string::npos;
    WriteApplicationsXmlEnvelope(
        document, xml,
        [&](const ApplicationView&) {
          if (cut != std::string::npos) return;
          // Leaves the writer where the applications would: start tag
          // closed, the closing tag on a new line.
          xml.Raw("");
          cut = envelope.size();
        },
        flavour_);
    return CutAt(std::move(envelope), cut);
  }
  Frame ApplicationEnvelope() const override { return {}; }
  Frame Application(const ApplicationView& application, int depth) const override {
    std::string element;
    XmlWriter xml(&element, depth, LayoutOf(flavour_));
    std::size_t cut = std::string::npos;
    WriteApplicationElement(application, xml, [&](const InstanceView&) {
      if (cut != std::string::npos) return;
      xml.Raw("");
      cut = element.size();
    });
    return CutAt(std::move(element), cut);
  }
  std::string_view application_separator() const override { return {}; }
  std::string_view instance_separator() const override { return {}; }
  FragmentRef Instance(const InstanceView& instance, int depth,
                       FragmentCache& fragments) const override {
    const int instance_depth = depth + 1;
    if (instance.action == instance.record->action_type) {
      return flavour_ == PayloadFlavour::kCompact ? fragments.CompactXml(*instance.record)
                                                  : fragments.Xml(*instance.record, instance_depth);
    }
    std::string xml_text;
    XmlWriter xml(&xml_text, instance_depth, LayoutOf(flavour_));
    WriteDocumentInstanceXml(instance, flavour_, xml);
    return Fragment::Whole(xml_text);
  }

 private:
  PayloadFlavour flavour_;
};

class PartBuilder {
 public:
  PartBuilder(const PartFormat& format, FragmentCache& fragments, const PartReuse& reuse)
      : format_(format), fragments_(fragments), reuse_(reuse) {}

  void Text(std::string text) {
    if (!text.empty()) parts_.push_back(reuse_.Reuse(DocumentPart{std::move(text), {}, {}, {}}));
  }

  void Application(const ApplicationView& application, int depth) {
    Frame frame = format_.Application(application, depth);
    DocumentPart part;
    part.head = std::move(frame.head);
    part.tail = std::move(frame.tail);
    part.separator = format_.instance_separator();
    part.fragments.reserve(application.instances.size());
    for (const InstanceView& instance : application.instances) {
      LOGBOOK_CHECK(instance.record != nullptr);
      part.fragments.push_back(format_.Instance(instance, depth, fragments_));
    }
    parts_.push_back(reuse_.Reuse(std::move(part)));
  }

  void Applications(const std::vector<ApplicationView>& applications, int depth) {
    parts_.reserve(parts_.size() + 2 * applications.size() + 1);
    // One separator part for the whole document: compressed once.
    PartRef separator;
    if (!format_.application_separator().empty()) {
      separator =
          reuse_.Reuse(DocumentPart{std::string(format_.application_separator()), {}, {}, {}});
    }
    bool first = true;
    for (const ApplicationView& application : applications) {
      if (!first && separator != nullptr) parts_.push_back(separator);
      first = false;
      Application(application, depth);
    }
  }

  DocumentParts Take() && { return std::move(parts_); }

 private:
  const PartFormat& format_;
  FragmentCache& fragments_;
  const PartReuse& reuse_;
  DocumentParts parts_;
};

const PartFormat& FormatOf(WireFormat format, PayloadFlavour flavour) {
  static const JsonParts kJson(PayloadFlavour::kFull);
  static const JsonParts kCompactJson(PayloadFlavour::kCompact);
  static const XmlParts kXml(PayloadFlavour::kFull);
  static const XmlParts kCompactXml(PayloadFlavour::kCompact);
  const bool compact = flavour == PayloadFlavour::kCompact;
  if (format == WireFormat::kJson) return compact ? kCompactJson : kJson;
  return compact ? kCompactXml : kXml;
}

}  // namespace

DocumentParts ApplicationsParts(const ApplicationsDocument& document, WireFormat format,
                                PayloadFlavour flavour, FragmentCache& fragments,
                                const PartReuse& reuse) {
  const PartFormat& parts_format = FormatOf(format, flavour);
  Frame envelope = parts_format.ApplicationsEnvelope(document);
  PartBuilder builder(parts_format, fragments, reuse);
  builder.Text(std::move(envelope.head));
  constexpr int kApplicationDepth = 1;  // applications > application
  builder.Applications(document.applications, kApplicationDepth);
  builder.Text(std::move(envelope.tail));
  return std::move(builder).Take();
}

DocumentParts ApplicationParts(const ApplicationView& application, WireFormat format,
                               PayloadFlavour flavour, FragmentCache& fragments,
                               const PartReuse& reuse) {
  const PartFormat& parts_format = FormatOf(format, flavour);
  Frame envelope = parts_format.ApplicationEnvelope();
  PartBuilder builder(parts_format, fragments, reuse);
  builder.Text(std::move(envelope.head));
  builder.Application(application, /*depth=*/0);
  builder.Text(std::move(envelope.tail));
  return std::move(builder).Take();
}

}  // namespace logbook::net::eureka
