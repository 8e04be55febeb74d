// Events as /logbook/v1/events shows them (logbook-interface.md).
#include <gtest/gtest.h>

#include "net/eureka/event_json.h"

namespace logbook::net::eureka {
namespace {

core::Event Base(core::EventType type) {
  core::Event event;
  event.offset = 42;
  event.timestamp_ms = 1718000000000;
  event.origin_node = "node-a";
  event.origin_offset = 40;
  event.type = type;
  event.source = core::EventSource::kClient;
  event.app = "ORDERS";
  event.instance_id = "o1";
  return event;
}

std::string Write(const core::Event& event) {
  std::string out;
  JsonWriter writer(&out);
  WriteEventJson(event, writer);
  return out;
}

// The fields every event starts with, for one of Base()'s events.
std::string Common(std::string_view type, std::string_view source = "client") {
  return R"({"offset":42,"timestamp":1718000000000,"type":")" + std::string(type) +
         R"(","app":"ORDERS","instance_id":"o1","origin":"node-a","origin_offset":40,"source":")" +
         std::string(source) + "\"";
}

TEST(EventJson, Register) {
  core::Event event = Base(core::EventType::kRegister);
  core::InstanceInfo info;
  info.instance_id = "o1";
  info.host_name = "h1";
  info.app = "ORDERS";
  info.ip_addr = "10.0.0.1";
  info.duration_secs = 20;
  info.last_updated_timestamp = 5;
  info.last_dirty_timestamp = 6;
  event.instance = info;
  EXPECT_EQ(
      Write(event),
      Common("REGISTER") +
          R"json(,"instance":{"instanceId":"o1","hostName":"h1","app":"ORDERS","ipAddr":"10.0.0.1",)json"
          R"json("status":"UP","overriddenStatus":"UNKNOWN","port":{"$":7001,"@enabled":"true"},)json"
          R"json("securePort":{"$":7002,"@enabled":"false"},"countryId":1,)json"
          R"json("dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},)json"
          R"json("leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":20,"registrationTimestamp":0,)json"
          R"json("lastRenewalTimestamp":0,"evictionTimestamp":0,"serviceUpTimestamp":0},)json"
          R"json("metadata":{"@class":"java.util.Collections$EmptyMap"},"isCoordinatingDiscoveryServer":"false",)json"
          R"json("lastUpdatedTimestamp":"5","lastDirtyTimestamp":"6"}})json");
}

TEST(EventJson, RegisterWithoutInstance) {
  EXPECT_EQ(Write(Base(core::EventType::kRegister)), Common("REGISTER") + "}");
}

TEST(EventJson, Renew) {
  core::Event event = Base(core::EventType::kRenew);
  EXPECT_EQ(Write(event), Common("RENEW") + "}");
  event.renew_status = core::InstanceStatus::kDown;
  event.override_to_store = core::InstanceStatus::kOutOfService;
  event.source = core::EventSource::kEurekaPeer;
  EXPECT_EQ(Write(event),
            Common("RENEW", "eureka-peer") + R"(,"status":"DOWN","override":"OUT_OF_SERVICE"})");
}

TEST(EventJson, Cancel) {
  EXPECT_EQ(Write(Base(core::EventType::kCancel)), Common("CANCEL") + "}");
}

TEST(EventJson, StatusUpdateAndDeleteOverride) {
  core::Event event = Base(core::EventType::kStatusUpdate);
  event.status = core::InstanceStatus::kOutOfService;
  event.last_dirty_timestamp = 1000;
  EXPECT_EQ(Write(event),
            Common("STATUS_UPDATE") + R"(,"status":"OUT_OF_SERVICE","last_dirty_timestamp":1000})");
  event.type = core::EventType::kDeleteStatusOverride;
  event.status = core::InstanceStatus::kUnknown;
  event.last_dirty_timestamp = 0;
  EXPECT_EQ(Write(event), Common("DELETE_STATUS_OVERRIDE") + R"(,"status":"UNKNOWN"})");
}

TEST(EventJson, MetadataUpdate) {
  core::Event event = Base(core::EventType::kMetadataUpdate);
  event.metadata = {{"team", "core"}, {"zone", "z\"2"}};
  EXPECT_EQ(Write(event),
            Common("METADATA_UPDATE") + R"(,"metadata":{"team":"core","zone":"z\"2"}})");
}

TEST(EventJson, Evict) {
  core::Event event = Base(core::EventType::kEvict);
  event.source = core::EventSource::kEvictor;
  event.evict_reason = {1717999910000, 12, 17, true, 3, 2, 20};
  const std::string expected =
      Common("EVICT", "evictor") +
      R"(,"reason":{"lease_expired_at":1717999910000,"renews_last_min":12,"renews_threshold":17,)"
      R"("self_preservation_enabled":true,"expired_count":3,"eviction_cap":2,"registry_size":20}})";
  EXPECT_EQ(Write(event), expected);
}

TEST(EventJson, RenewalThresholdUpdate) {
  core::Event event = Base(core::EventType::kRenewalThresholdUpdate);
  event.source = core::EventSource::kSystem;
  event.app.clear();
  event.instance_id.clear();
  event.expected_clients = 6;
  EXPECT_EQ(Write(event),
            R"({"offset":42,"timestamp":1718000000000,"type":"RENEWAL_THRESHOLD_UPDATE","app":"",)"
            R"("instance_id":"","origin":"node-a","origin_offset":40,"source":"system",)"
            R"("expected_clients":6})");
}

TEST(EventJson, SourceNames) {
  EXPECT_EQ(EventSourceName(core::EventSource::kClient), "client");
  EXPECT_EQ(EventSourceName(core::EventSource::kEurekaPeer), "eureka-peer");
  EXPECT_EQ(EventSourceName(core::EventSource::kEvictor), "evictor");
  EXPECT_EQ(EventSourceName(core::EventSource::kLogbookPeer), "logbook-peer");
  EXPECT_EQ(EventSourceName(core::EventSource::kSystem), "system");
}

TEST(EventJson, EventsInAnArray) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginArray();
  WriteEventJson(Base(core::EventType::kCancel), writer);
  WriteEventJson(Base(core::EventType::kCancel), writer);
  writer.EndArray();
  const std::string cancel = Common("CANCEL") + "}";
  std::string expected = "[";
  expected.append(cancel).append(",").append(cancel).append("]");
  EXPECT_EQ(out, expected);
}

}  // namespace
}  // namespace logbook::net::eureka
