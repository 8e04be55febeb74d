#pragma once
// Instances shared by the Eureka codec tests.
#include <string>
#include <string_view>

#include "core/instance.h"

namespace logbook::net::eureka::testing {

// eureka-protocol.md §3.2's first instance (host-a, ORDERS, UP).
inline core::InstanceRecord HostARecord() {
  core::InstanceRecord record;
  core::InstanceInfo& info = record.info;
  info.instance_id = "host-a:orders:8080";
  info.host_name = "host-a";
  info.app = "ORDERS";
  info.ip_addr = "10.0.0.5";
  info.port = {8080, true};
  info.secure_port = {443, false};
  info.metadata = {{"zone", "z1"}};
  info.home_page_url = "http://host-a:8080/";
  info.vip_address = "orders";
  info.last_updated_timestamp = 1718000000001;
  info.last_dirty_timestamp = 1717999999000;
  record.lease.registration_timestamp = 1718000000000;
  record.lease.last_renewal_timestamp = 1718000120000;
  record.lease.service_up_timestamp = 1718000000000;
  return record;
}

// Every optional field set, an Amazon data center and a metadata key that
// needs XStream's name coding.
inline core::InstanceRecord EverythingRecord() {
  core::InstanceRecord record;
  core::InstanceInfo& info = record.info;
  info.instance_id = "i-0abc";
  info.host_name = "ip-10-0-0-7.ec2.internal";
  info.app = "BILLING";
  info.app_group_name = "PAYMENTS";
  info.ip_addr = "10.0.0.7";
  info.sid = "sid-7";
  info.status = core::InstanceStatus::kOutOfService;
  info.overridden_status = core::InstanceStatus::kOutOfService;
  info.port = {8080, false};
  info.secure_port = {8443, true};
  info.country_id = 2;
  info.data_center.name = "Amazon";
  info.data_center.class_name = std::string(core::kAmazonDataCenterClass);
  info.data_center.metadata = {{"availability-zone", "us-east-1a"}, {"instance-id", "i-0abc"}};
  info.renewal_interval_secs = 10;
  info.duration_secs = 40;
  info.metadata = {{"a_b$c", "x<y & \"z\""}, {"management.port", "8081"}};
  info.home_page_url = "http://h/";
  info.status_page_url = "http://h/info";
  info.health_check_url = "http://h/health";
  info.secure_health_check_url = "https://h/health";
  info.vip_address = "billing,payments";
  info.secure_vip_address = "billing-secure";
  info.is_coordinating_discovery_server = true;
  info.last_updated_timestamp = 1718000000002;
  info.last_dirty_timestamp = 1718000000003;
  info.asg_name = "billing-asg-v7";
  record.lease.registration_timestamp = 1718000000010;
  record.lease.last_renewal_timestamp = 1718000000020;
  record.lease.eviction_timestamp = 1718000000030;
  record.lease.service_up_timestamp = 1718000000040;
  record.action_type = core::ActionType::kModified;
  return record;
}

// eureka-protocol.md §11's R(app,id,host,ip): a minimal valid registration.
inline std::string RegistrationBody(std::string_view app, std::string_view id,
                                    std::string_view host, std::string_view ip) {
  return std::string(R"({"instance":{"instanceId":")") + std::string(id) + R"(","hostName":")" +
         std::string(host) + R"(","app":")" + std::string(app) + R"(","ipAddr":")" +
         std::string(ip) +
         R"(","status":"UP","port":{"$":8080,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},"dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},"leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90},"vipAddress":"orders-vip","lastDirtyTimestamp":"1000"}})";
}

}  // namespace logbook::net::eureka::testing
