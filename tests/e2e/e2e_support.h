#pragma once
// Shared pieces of the end-to-end suite: a fixture that runs one real
// `logbook serve` per test (own temp data dir, port 0), Eureka registration
// bodies (eureka-protocol.md §11's R(app,id,host,ip)), a JSON view for
// asserting wire types, and awaiting a condition with a deadline.
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/http_client.h"
#include "tests/testing/node_process.h"

namespace logbook::e2e {

using logbook::testing::Headers;
using logbook::testing::HttpClient;
using logbook::testing::HttpResult;
using logbook::testing::NodeProcess;
using logbook::testing::TempDir;

inline const Headers kAcceptJson = {{"Accept", "application/json"}};
inline const Headers kJsonBody = {{"Content-Type", "application/json"},
                                  {"Accept", "application/json"}};

// Wall-clock ms, the same clock the node stamps leases with.
inline std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where tests put data dirs: tmpfs when the machine has one, because fsync
// there is free and node startup takes half the time. Durability itself is
// the crash tests' subject, not this suite's.
inline std::string ScratchParent() {
  std::error_code error;
  if (std::filesystem::is_directory("/dev/shm", error) && ::access("/dev/shm", W_OK) == 0) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path().string();
}

// Polls `condition` until it holds or `deadline` passes; true if it held.
// The short pause between polls is not synchronization: the deadline is.
template <typename Condition>
bool Await(Condition condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// A parsed JSON document, queried by JSON pointer (RFC 6901), e.g.
// "/applications/application/0/name". Accessors return nullopt when the
// value is absent or not of the asked JSON type, so tests check wire types.
class Json {
 public:
  explicit Json(std::string_view text) {
    ok_ = parser_.parse(text.data(), text.size()).get(root_) == simdjson::SUCCESS;
  }
  Json(const Json&) = delete;
  Json& operator=(const Json&) = delete;

  bool ok() const { return ok_; }

  // "string", "number", "bool", "null", "object", "array" or "missing".
  std::string TypeAt(std::string_view pointer) const {
    simdjson::dom::element value;
    if (!Find(pointer, &value)) return "missing";
    switch (value.type()) {
      case simdjson::dom::element_type::STRING:
        return "string";
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64:
      case simdjson::dom::element_type::DOUBLE:
        return "number";
      case simdjson::dom::element_type::BOOL:
        return "bool";
      case simdjson::dom::element_type::NULL_VALUE:
        return "null";
      case simdjson::dom::element_type::OBJECT:
        return "object";
      case simdjson::dom::element_type::ARRAY:
        return "array";
    }
    return "missing";
  }
  bool Has(std::string_view pointer) const { return TypeAt(pointer) != "missing"; }

  std::optional<std::string> StringAt(std::string_view pointer) const {
    simdjson::dom::element value;
    std::string_view text;
    if (!Find(pointer, &value) || value.get_string().get(text) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    return std::string(text);
  }
  std::optional<std::int64_t> IntAt(std::string_view pointer) const {
    simdjson::dom::element value;
    std::int64_t number = 0;
    if (!Find(pointer, &value) || value.get_int64().get(number) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    return number;
  }
  std::optional<bool> BoolAt(std::string_view pointer) const {
    simdjson::dom::element value;
    bool flag = false;
    if (!Find(pointer, &value) || value.get_bool().get(flag) != simdjson::SUCCESS) {
      return std::nullopt;
    }
    return flag;
  }
  // Element count of an array or member count of an object.
  std::optional<std::size_t> SizeAt(std::string_view pointer) const {
    simdjson::dom::element value;
    if (!Find(pointer, &value)) return std::nullopt;
    simdjson::dom::array array;
    if (value.get_array().get(array) == simdjson::SUCCESS) return array.size();
    simdjson::dom::object object;
    if (value.get_object().get(object) == simdjson::SUCCESS) return object.size();
    return std::nullopt;
  }
  // Member names of an object, in document order.
  std::vector<std::string> KeysAt(std::string_view pointer) const {
    std::vector<std::string> keys;
    simdjson::dom::element value;
    simdjson::dom::object object;
    if (!Find(pointer, &value) || value.get_object().get(object) != simdjson::SUCCESS) {
      return keys;
    }
    for (const simdjson::dom::key_value_pair field : object) keys.emplace_back(field.key);
    return keys;
  }

 private:
  bool Find(std::string_view pointer, simdjson::dom::element* value) const {
    if (!ok_) return false;
    return root_.at_pointer(pointer).get(*value) == simdjson::SUCCESS;
  }

  simdjson::dom::parser parser_;  // owns the parsed document root_ points into
  simdjson::dom::element root_;
  bool ok_ = false;
};

// Pointer of instance `id` (matched on instanceId, else hostName) of `app`
// inside an `applications` document, or "" when it is not listed.
inline std::string InstancePointer(const Json& doc, std::string_view app, std::string_view id) {
  const std::size_t apps = doc.SizeAt("/applications/application").value_or(0);
  for (std::size_t a = 0; a < apps; ++a) {
    const std::string app_pointer = "/applications/application/" + std::to_string(a);
    if (doc.StringAt(app_pointer + "/name") != std::string(app)) continue;
    const std::size_t instances = doc.SizeAt(app_pointer + "/instance").value_or(0);
    for (std::size_t i = 0; i < instances; ++i) {
      const std::string pointer = app_pointer + "/instance/" + std::to_string(i);
      const std::optional<std::string> instance_id = doc.StringAt(pointer + "/instanceId");
      const std::string key =
          instance_id.has_value() ? *instance_id : doc.StringAt(pointer + "/hostName").value_or("");
      if (key == id) return pointer;
    }
  }
  return "";
}

// How many times instance `id` appears in an `applications` document.
inline int CountInstance(const Json& doc, std::string_view id) {
  int count = 0;
  const std::size_t apps = doc.SizeAt("/applications/application").value_or(0);
  for (std::size_t a = 0; a < apps; ++a) {
    const std::string app_pointer = "/applications/application/" + std::to_string(a);
    const std::size_t instances = doc.SizeAt(app_pointer + "/instance").value_or(0);
    for (std::size_t i = 0; i < instances; ++i) {
      const std::string pointer = app_pointer + "/instance/" + std::to_string(i);
      if (doc.StringAt(pointer + "/instanceId").value_or(
              doc.StringAt(pointer + "/hostName").value_or("")) == id) {
        ++count;
      }
    }
  }
  return count;
}

// gzip-compresses `data` (for request bodies sent with Content-Encoding: gzip).
inline std::string Gzip(const std::string& data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return rc == Z_STREAM_END ? out : "";
}

// A JSON string literal. Control characters become \u00XX escapes; bytes
// >= 0x80 pass through untouched (so a test can send invalid UTF-8).
inline std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A registration body; the defaults are eureka-protocol.md §11's
// R(ORDERS,o1,h1,10.0.0.1). Unset optionals leave the field out.
struct Registration {
  std::string app = "ORDERS";
  std::optional<std::string> instance_id = "o1";
  std::optional<std::string> host_name = "h1";
  std::optional<std::string> ip_addr = "10.0.0.1";
  std::optional<std::string> status = "UP";
  std::optional<std::string> vip_address = "orders-vip";
  std::optional<std::string> last_dirty_timestamp = "1000";
  bool data_center_info = true;
  int renewal_interval_secs = 30;
  int duration_secs = 90;
  std::vector<std::pair<std::string, std::string>> metadata;  // empty: field omitted

  // The bare instance object (what a replication batch carries).
  std::string InstanceJson() const {
    std::string body = "{";
    const auto field = [&body](std::string_view name, const std::string& json_value) {
      if (body.size() > 1) body += ",";
      body += JsonString(name) + ":" + json_value;
    };
    if (instance_id) field("instanceId", JsonString(*instance_id));
    if (host_name) field("hostName", JsonString(*host_name));
    field("app", JsonString(app));
    if (ip_addr) field("ipAddr", JsonString(*ip_addr));
    if (status) field("status", JsonString(*status));
    field("port", R"({"$":8080,"@enabled":"true"})");
    field("securePort", R"({"$":443,"@enabled":"false"})");
    if (data_center_info) {
      field("dataCenterInfo",
            R"({"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"})");
    }
    field("leaseInfo", "{\"renewalIntervalInSecs\":" + std::to_string(renewal_interval_secs) +
                           ",\"durationInSecs\":" + std::to_string(duration_secs) + "}");
    if (!metadata.empty()) {
      std::string map = "{";
      for (const auto& [key, value] : metadata) {
        if (map.size() > 1) map += ",";
        map += JsonString(key) + ":" + JsonString(value);
      }
      field("metadata", map + "}");
    }
    if (vip_address) field("vipAddress", JsonString(*vip_address));
    if (last_dirty_timestamp) field("lastDirtyTimestamp", JsonString(*last_dirty_timestamp));
    return body + "}";
  }
  // The wrapped document a client POSTs to /apps/{APP}.
  std::string Json() const { return "{\"instance\":" + InstanceJson() + "}"; }
};

// §11's R(app,id,host,ip).
inline Registration R(std::string app, std::string id, std::string host, std::string ip) {
  Registration registration;
  registration.app = std::move(app);
  registration.instance_id = std::move(id);
  registration.host_name = std::move(host);
  registration.ip_addr = std::move(ip);
  return registration;
}

// One node per test: own data dir, port 0. Subclasses choose extra flags.
class NodeTest : public ::testing::Test {
 protected:
  // Extra `serve` arguments for this fixture's node.
  virtual std::vector<std::string> NodeArgs() const { return {}; }

  void SetUp() override { StartNode(); }

  void StartNode() {
    node_ = std::make_unique<NodeProcess>(dir_.path() + "/data", NodeArgs());
    ASSERT_TRUE(node_->Start()) << "logbook serve did not start:\n" << node_->Output();
    http_ = std::make_unique<HttpClient>(node_->port());
  }
  // SIGTERMs the node and expects a clean exit.
  void StopNode() {
    http_.reset();
    ASSERT_EQ(node_->Stop(SIGTERM), 0) << node_->Output();
  }

  int port() const { return node_->port(); }
  HttpClient& http() { return *http_; }
  std::string data_dir() const { return dir_.path() + "/data"; }

  // /logbook/v1/status's log.last_offset, or -1 if it cannot be read.
  std::int64_t LastOffset() {
    const HttpResult result = http_->Get("/logbook/v1/status");
    if (result.status != 200) return -1;
    const Json status(result.body);
    return status.IntAt("/log/last_offset").value_or(-1);
  }

  // GET /logbook/v1/events?from=...&<extra>.
  HttpResult Events(std::int64_t from, const std::string& extra = "") {
    std::string target = "/logbook/v1/events?from=" + std::to_string(from);
    if (!extra.empty()) target += "&" + extra;
    return http_->Get(target);
  }

  TempDir dir_{ScratchParent()};
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<HttpClient> http_;
};

// The Eureka tests run against both mounts (eureka-protocol.md §1.1):
// Netflix's /eureka/v2 and Spring's /eureka.
class EurekaTest : public NodeTest, public ::testing::WithParamInterface<std::string> {
 protected:
  const std::string& B() const { return GetParam(); }

  HttpResult RegisterInstance(const Registration& registration, const std::string& path_app = "",
                      Headers extra = {}) {
    Headers headers = kJsonBody;
    headers.insert(headers.end(), extra.begin(), extra.end());
    return http().Request("POST", B() + "/apps/" + (path_app.empty() ? registration.app : path_app),
                          headers, registration.Json());
  }
  HttpResult Post(const std::string& path, const std::string& content_type,
                  const std::string& body) {
    return http().Request("POST", B() + path, {{"Content-Type", content_type}}, body);
  }
  HttpResult GetJson(const std::string& path) { return http().Get(B() + path, kAcceptJson); }
  HttpResult Put(const std::string& path, Headers headers = {}) {
    return http().Request("PUT", B() + path, headers);
  }
  HttpResult Delete(const std::string& path) { return http().Request("DELETE", B() + path); }

  // JSON GET of one instance; status != 200 leaves the document unparsed.
  HttpResult GetInstance(const std::string& app, const std::string& id) {
    return GetJson("/apps/" + app + "/" + id);
  }
  // A field of a registered instance as GET {B}/apps/APP/ID shows it.
  std::optional<std::string> InstanceString(const std::string& app, const std::string& id,
                                            const std::string& field) {
    const HttpResult result = GetInstance(app, id);
    if (result.status != 200) return std::nullopt;
    return Json(result.body).StringAt("/instance/" + field);
  }
  // The status override map (E16), as served under this mount.
  std::string StatusOverrides() { return http().Get(B() + "/serverinfo/statusoverrides").body; }
};

// Starts with §11's item-1 registration: ORDERS/o1 on h1, lastDirtyTimestamp 1000.
class WithO1Test : public EurekaTest {
 protected:
  void SetUp() override {
    EurekaTest::SetUp();
    if (HasFatalFailure()) return;
    const HttpResult result = RegisterInstance(R("ORDERS", "o1", "h1", "10.0.0.1"));
    ASSERT_EQ(result.status, 204) << result.body;
  }
};

// Names the parameterized instances "NetflixV2" and "Spring" (gtest names must be
// alphanumeric).
inline std::string MountName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param == "/eureka/v2" ? "NetflixV2" : "Spring";
}

#define LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(suite)                                    \
  INSTANTIATE_TEST_SUITE_P(Mounts, suite, ::testing::Values("/eureka/v2", "/eureka"), \
                           ::logbook::e2e::MountName)

}  // namespace logbook::e2e
