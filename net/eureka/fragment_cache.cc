#include "net/eureka/fragment_cache.h"

#include "net/eureka/documents.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {

std::shared_ptr<const std::string> FragmentCache::Json(const core::InstanceRecord& record) {
  auto [it, inserted] = entries_.try_emplace(&record);
  Entry& entry = it->second;
  entry.touched = generation_;
  // A record at a reused address is a new registration, and every change
  // to a record's shown fields comes with the offset of its event.
  if (inserted || entry.offset != record.last_change_offset) {
    if (entry.json != nullptr) bytes_ -= entry.json->size();
    std::string json;
    JsonWriter writer(&json);
    WriteInstanceObject(record.info, ShownLease(record), record.action_type, writer);
    json.shrink_to_fit();
    bytes_ += json.size();
    entry.json = std::make_shared<const std::string>(std::move(json));
    entry.offset = record.last_change_offset;
    ++encodes_;
  }
  return entry.json;
}

void FragmentCache::Prune(std::size_t live_instances) {
  if (entries_.size() > 2 * live_instances) {
    absl::erase_if(entries_, [this](const auto& item) {
      if (item.second.touched == generation_) return false;
      bytes_ -= item.second.json->size();
      return true;
    });
  }
  ++generation_;
}

}  // namespace logbook::net::eureka
