#include "net/eureka/registry_views.h"

#include <map>
#include <string>

#include "core/apps_hashcode.h"

namespace logbook::net::eureka {
namespace {

// Groups records by app, keeping the order in which apps first appear.
class DocumentBuilder {
 public:
  void Add(const std::string& app, const core::InstanceRecord* record, core::ActionType action) {
    auto [it, inserted] = index_.try_emplace(app, document_.applications.size());
    if (inserted) document_.applications.push_back(ApplicationView{app, {}});
    document_.applications[it->second].instances.push_back(InstanceView{record, action});
    ++counts_[static_cast<std::size_t>(record->info.status)];
  }
  const core::StatusCounts& counts() const { return counts_; }
  ApplicationsDocument Take() { return std::move(document_); }

 private:
  ApplicationsDocument document_;
  std::map<std::string, std::size_t, std::less<>> index_;
  core::StatusCounts counts_{};
};

}  // namespace

ApplicationsDocument FullRegistryDocument(const core::Registry& registry) {
  ApplicationsDocument document;
  document.versions_delta = "1";
  document.apps_hashcode = core::AppsHashcode(registry.status_counts());
  document.applications.reserve(registry.applications().size());
  for (const auto& [name, application] : registry.applications()) {
    ApplicationView view{name, {}};
    view.instances.reserve(application.instances.size());
    for (const auto& [id, record] : application.instances) {
      view.instances.push_back(InstanceView{&record, record.action_type});
    }
    document.applications.push_back(std::move(view));
  }
  return document;
}

std::optional<ApplicationView> ApplicationDocument(const core::Registry& registry,
                                                   std::string_view app) {
  const core::Application* application = registry.FindApplication(app);
  if (application == nullptr || application->instances.empty()) return std::nullopt;
  ApplicationView view{application->name, {}};
  for (const auto& [id, record] : application->instances) {
    view.instances.push_back(InstanceView{&record, record.action_type});
  }
  return view;
}

ApplicationsDocument VipDocument(const core::Registry& registry, std::string_view vip,
                                 bool secure) {
  DocumentBuilder builder;
  for (const core::InstanceRecord* record : registry.ByVip(vip, secure)) {
    builder.Add(record->info.app, record, record->action_type);
  }
  const core::StatusCounts counts = builder.counts();
  ApplicationsDocument document = builder.Take();
  document.versions_delta = "-1";
  document.apps_hashcode = core::AppsHashcode(counts);
  return document;
}

std::uint64_t DeltaWindowEntries(const core::Registry& registry, core::TimestampMs now_ms) {
  // The same bound as Registry::Delta.
  const core::TimestampMs window_start = now_ms - registry.options().delta_retention_ms;
  std::uint64_t count = 0;
  for (const core::WindowEntry& touch : registry.window()) {
    if (touch.timestamp_ms >= window_start) ++count;
  }
  return count;
}

ApplicationsDocument DeltaDocument(const core::Registry& registry, core::TimestampMs now_ms,
                                   std::uint64_t versions_delta) {
  DocumentBuilder builder;
  for (const core::DeltaEntry& entry : registry.Delta(now_ms)) {
    builder.Add(entry.app, entry.record, entry.action);
  }
  ApplicationsDocument document = builder.Take();
  document.versions_delta = std::to_string(versions_delta);
  document.apps_hashcode = core::AppsHashcode(registry.status_counts());
  return document;
}

}  // namespace logbook::net::eureka
