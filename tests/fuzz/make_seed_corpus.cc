// Writes the seed corpus of every fuzz target under the directory given
// (tests/fuzz/corpus/ in the repo): real requests, registration bodies and
// encoded events and snapshots made by the code itself, so the binary seeds
// follow the formats when they change. Run by `tools/run_fuzzers.sh --seeds`.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "core/event.h"
#include "core/registry.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "storage/codec_primitives.h"
#include "storage/event_codec.h"
#include "storage/snapshot_codec.h"
#include "tests/net/eureka_samples.h"
#include "tests/storage/storage_test_util.h"

namespace {

using namespace logbook;  // NOLINT
namespace fs = std::filesystem;
using net::eureka::testing::EverythingRecord;
using net::eureka::testing::HostARecord;
using net::eureka::testing::RegistrationBody;

class Corpus {
 public:
  // Overwrites the generated seeds and keeps the other files: inputs that
  // once found a bug stay in the corpus as regression_* seeds.
  Corpus(const fs::path& root, std::string_view target) : dir_(root / target) {
    fs::create_directories(dir_);
  }
  void Add(std::string_view name, std::string_view bytes) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "cannot write " << (dir_ / name) << "\n";
      std::exit(1);
    }
  }

 private:
  fs::path dir_;
};

std::string Request(std::string_view method, std::string_view target,
                    std::string_view content_type = "", std::string_view body = "") {
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n";
  if (!content_type.empty()) request += "Content-Type: " + std::string(content_type) + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return request + "\r\n" + std::string(body);
}

std::string JsonRegistration() { return RegistrationBody("ORDERS", "o1", "h1", "10.0.0.1"); }

std::string XmlRegistration() {
  const core::InstanceRecord record = HostARecord();
  return net::eureka::WriteInstanceXml({&record});
}

// One client's life on one connection, as the e2e tests drive it.
std::vector<std::pair<std::string, std::string>> Conversations() {
  const std::string reg = Request("POST", "/eureka/apps/ORDERS", "application/json",
                                  JsonRegistration());
  const std::string reg_xml = Request("POST", "/eureka/v2/apps/ORDERS", "application/xml",
                                      XmlRegistration());
  const std::string renew = Request("PUT", "/eureka/apps/ORDERS/o1?status=UP&lastDirtyTimestamp=1000");
  const std::string batch_body =
      R"({"replicationList":[{"appName":"ORDERS","id":"o2","lastDirtyTimestamp":5,"action":"Register","instanceInfo":{"instanceId":"o2","hostName":"h2","app":"ORDERS","ipAddr":"10.0.0.2","status":"UP","dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"}}},{"appName":"ORDERS","id":"o2","action":"Heartbeat","lastDirtyTimestamp":5}]})";
  return {
      {"register_renew_fetch", reg + renew + Request("GET", "/eureka/apps") +
                                   Request("GET", "/eureka/apps/delta") +
                                   Request("GET", "/eureka/apps/ORDERS/o1")},
      {"register_xml_fetch_xml",
       reg_xml + "GET /eureka/v2/apps HTTP/1.1\r\nAccept: application/xml\r\n\r\n" +
           "GET /eureka/v2/vips/orders HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n"},
      {"overrides", reg + Request("PUT", "/eureka/apps/ORDERS/o1/status?value=OUT_OF_SERVICE") +
                        Request("GET", "/eureka/instances/o1") +
                        Request("DELETE", "/eureka/apps/ORDERS/o1/status?value=UP") +
                        Request("PUT", "/eureka/apps/ORDERS/o1/metadata?zone=z1&weight=3") +
                        Request("GET", "/eureka/serverinfo/statusoverrides")},
      {"cancel", reg + Request("DELETE", "/eureka/apps/ORDERS/o1") +
                     Request("GET", "/eureka/apps/ORDERS") + Request("PUT", "/eureka/apps/ORDERS/o1")},
      {"replication", Request("POST", "/eureka/peerreplication/batch", "application/json",
                              batch_body) +
                          Request("GET", "/eureka/status")},
      {"logbook", reg + Request("GET", "/logbook/v1/events?from=1&limit=10") +
                      Request("GET", "/logbook/v1/status") + Request("GET", "/healthz") +
                      Request("GET", "/readyz") +
                      Request("GET", "/logbook/v1/history?app=ORDERS&limit=5")},
      {"chunked_close",
       "POST /eureka/apps/ORDERS HTTP/1.1\r\nContent-Type: application/json\r\n"
       "Transfer-Encoding: chunked\r\n\r\n" +
           [] {
             const std::string body = JsonRegistration();
             char size[16];
             std::snprintf(size, sizeof size, "%zx", body.size());
             return std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
           }() +
           "GET /eureka/apps HTTP/1.1\r\nConnection: close\r\n\r\n"},
  };
}

std::string EventBody(const std::string& value) {
  // version byte, varint length, body, CRC-32: strip the envelope.
  std::size_t at = 1;
  while (static_cast<unsigned char>(value[at]) & 0x80) ++at;
  ++at;
  return value.substr(at, value.size() - at - 4);
}

std::vector<core::Event> SampleEvents() {
  std::vector<core::Event> events;
  core::Event reg = storage::testing::FullRegisterEvent();
  events.push_back(reg);
  events.push_back(storage::testing::RenewEvent("ORDERS", "i-0abc", 1700000030000));
  core::Event status = storage::testing::RenewEvent("ORDERS", "i-0abc", 1700000031000);
  status.type = core::EventType::kStatusUpdate;
  status.status = core::InstanceStatus::kOutOfService;
  status.last_dirty_timestamp = 1700000031000;
  events.push_back(status);
  core::Event metadata = storage::testing::RenewEvent("ORDERS", "i-0abc", 1700000032000);
  metadata.type = core::EventType::kMetadataUpdate;
  metadata.metadata = {{"zone", "b"}};
  events.push_back(metadata);
  core::Event threshold = storage::testing::RenewEvent("", "", 1700000033000);
  threshold.type = core::EventType::kRenewalThresholdUpdate;
  threshold.expected_clients = 3;
  events.push_back(threshold);
  core::Event evict = storage::testing::RenewEvent("ORDERS", "i-0abc", 1700000200000);
  evict.type = core::EventType::kEvict;
  evict.evict_reason.lease_expired_at_ms = 1700000120000;
  events.push_back(evict);
  // Seven events: the snapshot target frames its values for offset 7.
  events.push_back(storage::testing::RenewEvent("ORDERS", "i-0abc", 1700000201000));
  core::Offset offset = 0;
  for (core::Event& event : events) {
    event.offset = ++offset;
    event.origin_node = "node-a";
    event.origin_offset = event.offset;
  }
  return events;
}

// INSTANCE_SET as a snapshot merge logs it (docs/log-format.md): one that
// sets a whole record with its override, and one that removes (no record).
std::vector<core::Event> InstanceSetEvents() {
  core::Event set = storage::testing::FullRegisterEvent();
  set.type = core::EventType::kInstanceSet;
  set.source = core::EventSource::kLogbookPeer;
  set.origin_node = "node-b";
  set.origin_offset = 41;
  core::InstanceRecord record;
  record.info = *set.instance;
  record.lease = core::Lease{1700000000000, 1700000030000, 0, 1700000000000, 90000};
  record.action_type = core::ActionType::kModified;
  set.instance.reset();
  set.record = record;
  set.override_to_store = core::InstanceStatus::kOutOfService;
  core::Event removal = set;
  removal.record.reset();
  removal.override_to_store.reset();
  return {set, removal};
}

// `request` with an Authorization header after its request line.
std::string WithAuthorization(const std::string& request, std::string_view value) {
  const std::size_t line_end = request.find("\r\n") + 2;
  return request.substr(0, line_end) + "Authorization: " + std::string(value) + "\r\n" +
         request.substr(line_end);
}

// The users node_handler_fuzzer.cc turns access control on with.
std::string Basic(std::string_view user_colon_password) {
  return "Basic " + absl::Base64Escape(absl::string_view(user_colon_password.data(),
                                                         user_colon_password.size()));
}

// Requests with credentials: the fuzz target enables access control for
// inputs that carry an Authorization header.
std::vector<std::pair<std::string, std::string>> AuthConversations() {
  const std::string client = Basic("app:app-pw");
  const std::string admin = Basic("ops:ops-pw");
  const std::string peer = Basic("rep:rep-pw");
  const std::string reg =
      Request("POST", "/eureka/apps/ORDERS", "application/json", JsonRegistration());
  const std::string override_status =
      Request("PUT", "/eureka/apps/ORDERS/o1/status?value=OUT_OF_SERVICE");
  return {
      {"auth_roles",
       WithAuthorization(reg, client) + WithAuthorization(override_status, client) +
           WithAuthorization(override_status, admin) +
           WithAuthorization(Request("GET", "/logbook/v1/status"), admin) +
           WithAuthorization(Request("GET", "/logbook/v1/replication/events?from=1"), peer) +
           WithAuthorization(Request("GET", "/eureka/apps"), peer)},
      {"auth_rejected",
       reg + WithAuthorization(Request("GET", "/eureka/apps"), Basic("app:wrong")) +
           WithAuthorization(Request("GET", "/eureka/apps"), "Basic !!notbase64") +
           WithAuthorization(Request("GET", "/eureka/apps"), Basic("no-colon")) +
           WithAuthorization(Request("GET", "/eureka/apps"), "Bearer abc") +
           WithAuthorization(Request("GET", "/eureka/apps"), "") +
           WithAuthorization(Request("GET", "/healthz"), "Basic " + std::string(5000, 'A'))},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CORPUS_ROOT (tests/fuzz/corpus)\n";
    return 2;
  }
  const fs::path root = argv[1];

  {
    Corpus corpus(root, "http_request_parser");
    for (const auto& [name, bytes] : Conversations()) {
      // Whole input, byte by byte, and 7-byte pieces with a pause per request.
      corpus.Add(name + "_whole", std::string(1, '\0') + bytes);
      corpus.Add(name + "_bytewise", std::string(1, '\x01') + bytes);
      corpus.Add(name + "_pieces_paused", std::string(1, '\x47') + bytes);
    }
  }
  {
    Corpus corpus(root, "node_handler");
    for (const auto& [name, bytes] : Conversations()) corpus.Add(name, bytes);
    for (const auto& [name, bytes] : AuthConversations()) corpus.Add(name, bytes);
  }
  {
    Corpus corpus(root, "eureka_json");
    const core::InstanceRecord everything = EverythingRecord();
    const core::InstanceRecord host_a = HostARecord();
    corpus.Add("registration", JsonRegistration());
    corpus.Add("everything", net::eureka::WriteInstanceJson({&everything}));
    corpus.Add("host_a", net::eureka::WriteInstanceJson({&host_a}));
    corpus.Add("replication_batch",
               R"({"replicationList":[{"appName":"BILLING","id":"i-0abc","action":"Register","instanceInfo":)" +
                   net::eureka::WriteBareInstanceJson({&everything}) +
                   R"(},{"appName":"BILLING","id":"i-0abc","action":"StatusUpdate","status":"DOWN","overriddenStatus":"DOWN"},{"action":"Heartbeat","lastDirtyTimestamp":5}]})");
  }
  {
    Corpus corpus(root, "eureka_xml");
    const core::InstanceRecord everything = EverythingRecord();
    const core::InstanceRecord host_a = HostARecord();
    corpus.Add("everything", net::eureka::WriteInstanceXml({&everything}));
    corpus.Add("host_a", net::eureka::WriteInstanceXml({&host_a}));
  }
  const std::vector<core::Event> events = SampleEvents();
  {
    Corpus corpus(root, "event_codec");
    std::mt19937_64 rng(7);
    std::vector<core::Event> all = events;
    for (int type = 1; type <= 8; ++type) {
      all.push_back(storage::testing::RandomEvent(static_cast<core::EventType>(type), rng));
    }
    // Drawn after the others, so that their seeds stay as they were.
    all.push_back(storage::testing::RandomEvent(core::EventType::kInstanceSet, rng));
    for (core::Event& event : InstanceSetEvents()) all.push_back(std::move(event));
    int n = 0;
    for (const core::Event& event : all) {
      std::string value;
      storage::EncodeEvent(event, &value);
      const std::string name = std::string(core::EventTypeName(event.type)) + "_" +
                               std::to_string(n++);
      corpus.Add(name + "_value", std::string(1, '\0') + value);
      corpus.Add(name + "_body", std::string(1, '\x01') + EventBody(value));
    }
  }
  {
    Corpus corpus(root, "snapshot_codec");
    core::Registry registry;
    corpus.Add("empty_value", std::string(1, '\0') + storage::EncodeSnapshot(registry));
    for (const core::Event& event : events) registry.Apply(event);
    // As of offset 7, the key the fuzz target decodes values under.
    corpus.Add("registry_deflate_value", std::string(1, '\0') + storage::EncodeSnapshot(registry));
    corpus.Add("registry_raw_value",
               std::string(1, '\0') +
                   storage::EncodeSnapshot(registry, storage::SnapshotCompression::kNone));
    corpus.Add("registry_body", std::string(1, '\x01') + storage::EncodeSnapshotBody(registry));
    corpus.Add("registry_body_deflated",
               std::string(1, '\x02') + storage::EncodeSnapshotBody(registry));
  }
  return 0;
}
