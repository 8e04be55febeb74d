#include "net/eureka/fragment_cache.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/documents.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/json_writer.h"
#include "net/eureka/xml_writer.h"

namespace logbook::net::eureka {
namespace {

// The values of `record` that differ from one instance to the next, as
// `escape` writes them: what a fragment keeps as its own bytes. Its URLs
// hold its address, so it is found inside them too.
std::vector<std::string> OwnValues(const core::InstanceRecord& record,
                                   void (*escape)(std::string*, std::string_view)) {
  const core::InstanceInfo& info = record.info;
  const core::Lease lease = ShownLease(record);
  std::vector<std::string> values;
  values.reserve(9);
  for (const core::CompactString* text : {&info.instance_id, &info.host_name, &info.ip_addr}) {
    if (!text->has_value()) continue;
    std::string escaped;
    escape(&escaped, text->view());
    values.push_back(std::move(escaped));
  }
  for (const core::TimestampMs timestamp :
       {lease.registration_timestamp, lease.last_renewal_timestamp, lease.eviction_timestamp,
        lease.service_up_timestamp, info.last_updated_timestamp, info.last_dirty_timestamp}) {
    values.push_back(absl::StrCat(timestamp));
  }
  // The lease's times are often one and the same.
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

}  // namespace

FragmentRef FragmentCache::Get(FragmentFormat format, const core::InstanceRecord& record,
                               absl::FunctionRef<void(std::string*)> encode) {
  Shelf& fragments = shelf(format);
  auto [it, inserted] = fragments.entries.try_emplace(&record);
  Entry& entry = it->second;
  entry.touched = generation_;
  // A record at a reused address is a new registration, and every change
  // to a record's shown fields comes with the offset of its event.
  if (inserted || entry.offset != record.last_change_offset) {
    if (entry.text != nullptr) fragments.bytes -= entry.text->size();
    std::string text;
    encode(&text);
    const bool json = format == FragmentFormat::kJson || format == FragmentFormat::kCompactJson;
    std::vector<TextSpan> own =
        FindOccurrences(text, OwnValues(record, json ? &AppendJsonEscaped : &AppendXmlEscaped));
    entry.text = templates_.Make(text, std::move(own));
    fragments.bytes += text.size();
    entry.offset = record.last_change_offset;
    ++fragments.encodes;
  }
  return entry.text;
}

FragmentRef FragmentCache::Json(const core::InstanceRecord& record) {
  return Get(FragmentFormat::kJson, record, [&record](std::string* out) {
    JsonWriter writer(out);
    WriteInstanceObject(record.info, ShownLease(record), record.action_type, writer);
  });
}

FragmentRef FragmentCache::Xml(const core::InstanceRecord& record, int depth) {
  LOGBOOK_CHECK(depth == 1 || depth == 2);
  const FragmentFormat format =
      depth == 2 ? FragmentFormat::kXmlInApplications : FragmentFormat::kXmlInApplication;
  return Get(format, record, [&record, depth](std::string* out) {
    XmlWriter xml(out, depth);
    WriteDocumentInstanceXml(InstanceView{&record, record.action_type}, PayloadFlavour::kFull, xml);
  });
}

FragmentRef FragmentCache::CompactJson(const core::InstanceRecord& record) {
  return Get(FragmentFormat::kCompactJson, record, [&record](std::string* out) {
    JsonWriter writer(out);
    WriteCompactInstanceObject(record.info, record.action_type, writer);
  });
}

FragmentRef FragmentCache::CompactXml(const core::InstanceRecord& record) {
  return Get(FragmentFormat::kCompactXml, record, [&record](std::string* out) {
    XmlWriter xml(out, 0, XmlLayout::kCompact);
    WriteCompactInstanceElement(record.info, record.action_type, xml);
  });
}

void FragmentCache::Prune(std::size_t live_instances) {
  for (Shelf& fragments : shelves_) {
    if (fragments.entries.size() <= 2 * live_instances) continue;
    absl::erase_if(fragments.entries, [this, &fragments](const auto& item) {
      if (item.second.touched == generation_) return false;
      fragments.bytes -= item.second.text->size();
      return true;
    });
  }
  ++generation_;
  templates_.Sweep();
}

void FragmentCache::Clear() {
  for (Shelf& fragments : shelves_) {
    fragments.entries.clear();
    fragments.bytes = 0;
  }
  templates_.Clear();
}

std::size_t FragmentCache::size() const {
  std::size_t total = 0;
  for (const Shelf& fragments : shelves_) total += fragments.entries.size();
  return total;
}

std::size_t FragmentCache::bytes() const {
  std::size_t total = 0;
  for (const Shelf& fragments : shelves_) total += fragments.bytes;
  return total;
}

std::uint64_t FragmentCache::encodes() const {
  std::uint64_t total = 0;
  for (const Shelf& fragments : shelves_) total += fragments.encodes;
  return total;
}

}  // namespace logbook::net::eureka
