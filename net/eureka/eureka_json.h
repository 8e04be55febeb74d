#pragma once
// Eureka's JSON wire format: writer (legacy codec, §3.2/§3.3, key order and
// mixed types exactly) and lenient reader (§3.4) built on simdjson.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/command.h"
#include "core/ids.h"
#include "core/instance.h"
#include "net/eureka/documents.h"
#include "net/eureka/json_writer.h"

namespace logbook::net::eureka {

// {"applications":{...}}
std::string WriteApplicationsJson(const ApplicationsDocument& document,
                                  PayloadFlavour flavour = PayloadFlavour::kFull);
// The applications document's envelope (versions__delta, apps__hashcode:
// before the applications in full, after them in compact) around
// `write_application` called for each application in order: shared by the
// encoder above and the fragment assembler (net/eureka/fragment_documents.h),
// whose bytes must be the same.
void WriteApplicationsEnvelope(const ApplicationsDocument& document, JsonWriter& writer,
                               absl::FunctionRef<void(const ApplicationView&)> write_application,
                               PayloadFlavour flavour = PayloadFlavour::kFull);
// {"application":{"name":..,"instance":[..]}}
std::string WriteApplicationJson(const ApplicationView& application,
                                 PayloadFlavour flavour = PayloadFlavour::kFull);
// {"instance":{...}}
std::string WriteInstanceJson(const InstanceView& instance);
// The bare instance object (409 bodies inside a batch response).
std::string WriteBareInstanceJson(const InstanceView& instance);
// Appends the bare instance object (§3.3) to `writer`: leaseInfo interval and
// duration come from `info`, its timestamps from `lease`; actionType is
// written only when `action` is set (events carry an instance without one).
void WriteInstanceObject(const core::InstanceInfo& info, const core::Lease& lease,
                         std::optional<core::ActionType> action, JsonWriter& writer);
// The compact instance object (§3.5): the fields Eureka's mini codec keeps,
// in its bean order, lastUpdatedTimestamp a number, Amazon metadata reduced
// to kCompactAmazonMetadataKeys.
void WriteCompactInstanceObject(const core::InstanceInfo& info, core::ActionType action,
                                JsonWriter& writer);
// The instance object as the applications / application documents of
// `flavour` show it (full: with ShownLease).
void WriteDocumentInstanceObject(const InstanceView& instance, PayloadFlavour flavour,
                                 JsonWriter& writer);

// Parses {"instance":{...}}. Missing fields get E1's defaults;
// lastDirtyTimestamp/lastUpdatedTimestamp default to now_ms. Fails with
// InvalidArgument on malformed JSON, a missing root, or a missing
// dataCenterInfo @class... (see §3.4). Does not validate E1 rules.
absl::StatusOr<core::InstanceInfo> ReadInstanceJson(std::string_view body,
                                                    core::TimestampMs now_ms);

// One item of POST /peerreplication/batch (E14).
struct ReplicationItem {
  std::string action;  // Register | Heartbeat | Cancel | StatusUpdate | DeleteStatusOverride
  std::string app_name;
  std::string id;
  std::optional<core::TimestampMs> last_dirty_timestamp;
  std::optional<std::string> status;             // raw; the handler validates
  std::optional<std::string> overridden_status;  // raw
  // Register: the parsed bare instanceInfo, or an error if it did not parse.
  std::optional<absl::StatusOr<core::InstanceInfo>> instance_info;
};

absl::StatusOr<std::vector<ReplicationItem>> ReadReplicationBatchJson(std::string_view body,
                                                                      core::TimestampMs now_ms);

struct ReplicationResult {
  int status_code = 200;
  std::optional<InstanceView> response_entity;  // 409 heartbeats
};
// {"responseList":[{"statusCode":200}, ...]}
std::string WriteReplicationResponseJson(const std::vector<ReplicationResult>& results);

// One item this node pushes to a stock Eureka peer (E14 request, §7.2):
// the fields Eureka's ReplicationTaskProcessor sends; unset ones are left
// out, as Eureka's mapper leaves out nulls.
struct OutgoingReplicationItem {
  std::string action;  // Register | Heartbeat | Cancel | StatusUpdate | DeleteStatusOverride
  std::string app_name;
  std::string id;
  std::optional<core::TimestampMs> last_dirty_timestamp;
  std::optional<core::InstanceStatus> status;
  std::optional<core::InstanceStatus> overridden_status;
  // Register only: the instance as stored here (leaseInfo from its lease).
  std::optional<core::InstanceRecord> instance;
};
// {"replicationList":[{...}, ...]}
std::string WriteReplicationListJson(const std::vector<const OutgoingReplicationItem*>& items);

// One entry of a peer's ReplicationListResponse.
struct ReplicationResponseItem {
  int status_code = 0;
  // The peer's copy (409 heartbeats), parsed; an error if it did not parse.
  std::optional<absl::StatusOr<core::InstanceInfo>> response_entity;
};
// Parses {"responseList":[...]}; InvalidArgument on malformed JSON or a
// missing list. Thread: any (each thread reuses its own parser).
absl::StatusOr<std::vector<ReplicationResponseItem>> ReadReplicationResponseJson(
    std::string_view body, core::TimestampMs now_ms);

}  // namespace logbook::net::eureka
