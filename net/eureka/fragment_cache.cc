#include "net/eureka/fragment_cache.h"

#include "net/eureka/documents.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {

std::string_view FragmentCache::Json(const core::InstanceRecord& record) {
  auto [it, inserted] = entries_.try_emplace(&record);
  Entry& entry = it->second;
  entry.touched = generation_;
  // A record at a reused address is a new registration, and every change
  // to a record's shown fields comes with the offset of its event.
  if (inserted || entry.offset != record.last_change_offset) {
    bytes_ -= entry.json.size();
    entry.json.clear();
    JsonWriter writer(&entry.json);
    WriteInstanceObject(record.info, ShownLease(record), record.action_type, writer);
    entry.json.shrink_to_fit();
    entry.offset = record.last_change_offset;
    bytes_ += entry.json.size();
    ++encodes_;
  }
  return entry.json;
}

void FragmentCache::Prune(std::size_t live_instances) {
  if (entries_.size() > 2 * live_instances) {
    absl::erase_if(entries_, [this](const auto& item) {
      if (item.second.touched == generation_) return false;
      bytes_ -= item.second.json.size();
      return true;
    });
  }
  ++generation_;
}

}  // namespace logbook::net::eureka
