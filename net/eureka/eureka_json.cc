// The Eureka JSON writers: the legacy codec's output (§3.2, §3.3), byte for
// byte. The readers live in eureka_json_reader.cc.
#include "net/eureka/eureka_json.h"

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {
namespace {

constexpr std::string_view kEmptyMapClass = "java.util.Collections$EmptyMap";

void WritePort(std::string_view key, const core::PortInfo& port, JsonWriter& writer) {
  writer.Key(key);
  writer.BeginObject();
  writer.Key("$");
  writer.Int(port.port);
  // A string, not a boolean: the legacy codec's mixed types (§10 item 4).
  writer.Key("@enabled");
  writer.String(port.enabled ? "true" : "false");
  writer.EndObject();
}

void WriteStringMap(const core::CompactStringMap& map, JsonWriter& writer) {
  writer.BeginObject();
  for (const auto& [key, value] : map) {
    writer.Key(key);
    writer.String(value);
  }
  writer.EndObject();
}

void WriteDataCenter(const core::DataCenterInfo& data_center, JsonWriter& writer) {
  writer.Key("dataCenterInfo");
  writer.BeginObject();
  writer.Key("@class");
  // The name decides the type, as on read; a class name a client sent is not echoed.
  writer.String(data_center.IsAmazon() ? core::kAmazonDataCenterClass
                                       : core::kDefaultDataCenterClass);
  writer.Key("name");
  writer.String(data_center.name);
  if (data_center.IsAmazon()) {
    writer.Key("metadata");
    WriteStringMap(data_center.metadata, writer);
  }
  writer.EndObject();
}

void WriteOptionalString(std::string_view key, const core::CompactString& value,
                         JsonWriter& writer) {
  if (!value.has_value()) return;
  writer.Key(key);
  writer.String(*value);
}

void WriteApplicationObject(const ApplicationView& application, PayloadFlavour flavour,
                            JsonWriter& writer) {
  writer.BeginObject();
  writer.Key("name");
  writer.String(application.name);
  // Always an array, even for one instance (§3.2 rule 3).
  writer.Key("instance");
  writer.BeginArray();
  for (const InstanceView& instance : application.instances) {
    WriteDocumentInstanceObject(instance, flavour, writer);
  }
  writer.EndArray();
  writer.EndObject();
}

}  // namespace

void WriteInstanceObject(const core::InstanceInfo& info, const core::Lease& lease,
                         std::optional<core::ActionType> action, JsonWriter& writer) {
  writer.BeginObject();
  WriteOptionalString("instanceId", info.instance_id, writer);
  writer.Key("hostName");
  writer.String(info.host_name);
  writer.Key("app");
  writer.String(info.app);
  writer.Key("ipAddr");
  writer.String(info.ip_addr);
  // sid is deprecated; the codec writes it only when it carries something.
  if (info.sid != "na" && info.sid != "unknown") {
    writer.Key("sid");
    writer.String(info.sid);
  }
  writer.Key("status");
  writer.String(core::StatusName(info.status));
  writer.Key("overriddenStatus");
  writer.String(core::StatusName(info.overridden_status));
  WritePort("port", info.port, writer);
  WritePort("securePort", info.secure_port, writer);
  writer.Key("countryId");
  writer.Int(info.country_id);
  if (info.has_data_center) WriteDataCenter(info.data_center, writer);

  writer.Key("leaseInfo");
  writer.BeginObject();
  writer.Key("renewalIntervalInSecs");
  writer.Int(info.EffectiveRenewalIntervalSecs());
  writer.Key("durationInSecs");
  writer.Int(info.EffectiveDurationSecs());
  writer.Key("registrationTimestamp");
  writer.Int(lease.registration_timestamp);
  writer.Key("lastRenewalTimestamp");
  writer.Int(lease.last_renewal_timestamp);
  writer.Key("evictionTimestamp");
  writer.Int(lease.eviction_timestamp);
  writer.Key("serviceUpTimestamp");
  writer.Int(lease.service_up_timestamp);
  writer.EndObject();

  writer.Key("metadata");
  if (info.metadata.empty()) {
    // How Jackson renders Java's Collections.emptyMap() (§10 item 5).
    writer.BeginObject();
    writer.Key("@class");
    writer.String(kEmptyMapClass);
    writer.EndObject();
  } else {
    WriteStringMap(info.metadata, writer);
  }

  // The codec's reflective "auto" step: declaration order, every value a string.
  WriteOptionalString("appGroupName", info.app_group_name, writer);
  WriteOptionalString("homePageUrl", info.home_page_url, writer);
  WriteOptionalString("statusPageUrl", info.status_page_url, writer);
  WriteOptionalString("healthCheckUrl", info.health_check_url, writer);
  WriteOptionalString("secureHealthCheckUrl", info.secure_health_check_url, writer);
  WriteOptionalString("vipAddress", info.vip_address, writer);
  WriteOptionalString("secureVipAddress", info.secure_vip_address, writer);
  writer.Key("isCoordinatingDiscoveryServer");
  writer.String(info.is_coordinating_discovery_server ? "true" : "false");
  writer.Key("lastUpdatedTimestamp");
  writer.String(absl::StrCat(info.last_updated_timestamp));
  writer.Key("lastDirtyTimestamp");
  writer.String(absl::StrCat(info.last_dirty_timestamp));
  if (action.has_value()) {
    writer.Key("actionType");
    writer.String(core::ActionTypeName(*action));
  }
  WriteOptionalString("asgName", info.asg_name, writer);
  writer.EndObject();
}

void WriteCompactInstanceObject(const core::InstanceInfo& info, core::ActionType action,
                                JsonWriter& writer) {
  writer.BeginObject();
  WriteOptionalString("instanceId", info.instance_id, writer);
  writer.Key("app");
  writer.String(info.app);
  writer.Key("ipAddr");
  writer.String(info.ip_addr);
  WriteOptionalString("vipAddress", info.vip_address, writer);
  WriteOptionalString("secureVipAddress", info.secure_vip_address, writer);
  if (info.has_data_center) {
    WriteDataCenter(CompactDataCenter(info.data_center), writer);
  }
  writer.Key("hostName");
  writer.String(info.host_name);
  writer.Key("status");
  writer.String(core::StatusName(info.status));
  writer.Key("lastUpdatedTimestamp");
  writer.Int(info.last_updated_timestamp);
  writer.Key("actionType");
  writer.String(core::ActionTypeName(action));
  WriteOptionalString("asgName", info.asg_name, writer);
  // The mini codec's serializer appends the ports after the bean's fields.
  WritePort("port", info.port, writer);
  WritePort("securePort", info.secure_port, writer);
  writer.EndObject();
}

void WriteDocumentInstanceObject(const InstanceView& instance, PayloadFlavour flavour,
                                 JsonWriter& writer) {
  LOGBOOK_CHECK(instance.record != nullptr);
  if (flavour == PayloadFlavour::kCompact) {
    WriteCompactInstanceObject(instance.record->info, instance.action, writer);
  } else {
    WriteInstanceObject(instance.record->info, ShownLease(*instance.record), instance.action,
                        writer);
  }
}

void WriteApplicationsEnvelope(const ApplicationsDocument& document, JsonWriter& writer,
                               absl::FunctionRef<void(const ApplicationView&)> write_application,
                               PayloadFlavour flavour) {
  const auto write_versions = [&] {
    writer.Key("versions__delta");
    writer.String(document.versions_delta);
    writer.Key("apps__hashcode");
    writer.String(document.apps_hashcode);
  };
  writer.BeginObject();
  writer.Key("applications");
  writer.BeginObject();
  if (flavour == PayloadFlavour::kFull) write_versions();
  writer.Key("application");
  writer.BeginArray();
  for (const ApplicationView& application : document.applications) write_application(application);
  writer.EndArray();
  // The mini codec's bean serializer adds them after the bean's own fields.
  if (flavour == PayloadFlavour::kCompact) write_versions();
  writer.EndObject();
  writer.EndObject();
}

std::string WriteApplicationsJson(const ApplicationsDocument& document, PayloadFlavour flavour) {
  std::string out;
  JsonWriter writer(&out);
  WriteApplicationsEnvelope(
      document, writer,
      [&writer, flavour](const ApplicationView& application) {
        WriteApplicationObject(application, flavour, writer);
      },
      flavour);
  return out;
}

std::string WriteApplicationJson(const ApplicationView& application, PayloadFlavour flavour) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("application");
  WriteApplicationObject(application, flavour, writer);
  writer.EndObject();
  return out;
}

std::string WriteInstanceJson(const InstanceView& instance) {
  LOGBOOK_CHECK(instance.record != nullptr);
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("instance");
  WriteInstanceObject(instance.record->info, instance.record->lease, instance.action, writer);
  writer.EndObject();
  return out;
}

std::string WriteBareInstanceJson(const InstanceView& instance) {
  LOGBOOK_CHECK(instance.record != nullptr);
  std::string out;
  JsonWriter writer(&out);
  WriteInstanceObject(instance.record->info, instance.record->lease, instance.action, writer);
  return out;
}

std::string WriteReplicationResponseJson(const std::vector<ReplicationResult>& results) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("responseList");
  writer.BeginArray();
  for (const ReplicationResult& result : results) {
    writer.BeginObject();
    writer.Key("statusCode");
    writer.Int(result.status_code);
    if (result.response_entity.has_value()) {
      LOGBOOK_CHECK(result.response_entity->record != nullptr);
      writer.Key("responseEntity");
      WriteInstanceObject(result.response_entity->record->info,
                          result.response_entity->record->lease, result.response_entity->action,
                          writer);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return out;
}

std::string WriteReplicationListJson(const std::vector<const OutgoingReplicationItem*>& items) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Key("replicationList");
  writer.BeginArray();
  for (const OutgoingReplicationItem* item : items) {
    writer.BeginObject();
    writer.Key("appName");
    writer.String(item->app_name);
    writer.Key("id");
    writer.String(item->id);
    if (item->last_dirty_timestamp.has_value()) {
      // A JSON number here, unlike inside an instance object (E14).
      writer.Key("lastDirtyTimestamp");
      writer.Int(*item->last_dirty_timestamp);
    }
    if (item->overridden_status.has_value()) {
      writer.Key("overriddenStatus");
      writer.String(core::StatusName(*item->overridden_status));
    }
    if (item->status.has_value()) {
      writer.Key("status");
      writer.String(core::StatusName(*item->status));
    }
    if (item->instance.has_value()) {
      writer.Key("instanceInfo");
      WriteInstanceObject(item->instance->info, item->instance->lease, std::nullopt, writer);
    }
    writer.Key("action");
    writer.String(item->action);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return out;
}

}  // namespace logbook::net::eureka
