#pragma once
// The body of GET /logbook/v1/replication/events (docs/replication.md, "Wire
// format"): the events a node originated, each as its local offset, a length
// and the log's own event bytes (which carry a CRC-32). Both ends use the
// event codec the app hands them (core::EventCodec), so net/ never includes
// storage/.
//
// Thread: pure functions; any thread (the server encodes on libuv's pool,
// pullers decode on their own threads).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/event_codec.h"
#include "core/ids.h"

namespace logbook::net::replication {

inline constexpr std::string_view kContentType = "application/x-logbook-events";
// Response headers (every answer of the endpoint, 410 included).
inline constexpr std::string_view kNodeIdHeader = "X-Logbook-Node-Id";
inline constexpr std::string_view kLogIdentityHeader = "X-Logbook-Log-Identity";
inline constexpr std::string_view kFromHeader = "X-Logbook-From";
inline constexpr std::string_view kNextHeader = "X-Logbook-Next";
inline constexpr std::string_view kFirstOffsetHeader = "X-Logbook-First-Offset";
inline constexpr std::string_view kDurableOffsetHeader = "X-Logbook-Durable-Offset";
inline constexpr std::string_view kEventCountHeader = "X-Logbook-Event-Count";
// The lowest `from` answered without 410: 1 while nothing this node
// originated was dropped (a bootstrapped log holds none before its
// snapshot), else the first retained offset.
inline constexpr std::string_view kMinFromHeader = "X-Logbook-Min-From";

// 8-byte big-endian offset + 4-byte big-endian length before each record.
inline constexpr std::size_t kRecordHeaderSize = 12;
// A length with this bit set marks a requirement record, not an event.
inline constexpr std::uint32_t kRequirementFlag = 0x80000000u;
// A record longer than this is damage, not an event (the HTTP body limit
// bounds the whole batch).
inline constexpr std::size_t kMaxRecordBytes = 16 * 1024 * 1024;

// Appends one record for `event` (its offset must be set).
void AppendRecord(const core::EventCodec& codec, const core::Event& event, std::string* body);
// Appends one record for an event whose encoding (the log's stored value) is
// `encoded`: what a server sends without decoding and re-encoding.
void AppendEncodedRecord(core::Offset offset, std::string_view encoded, std::string* body);

// Causality across origins: before an event, the serving node had applied
// the events of `origin` up to `origin_offset` (it logged the last of them at
// `offset`). A puller applies the event only once it holds that origin's
// events that far too, so e.g. a CANCEL pulled from B never overtakes the
// REGISTER that B itself had pulled from A.
struct Requirement {
  core::Offset offset = 0;  // the serving node's offset of that event
  core::NodeId origin;
  core::Offset origin_offset = 0;
  bool operator==(const Requirement&) const = default;
};
void AppendRequirement(const Requirement& requirement, std::string* body);

// A decoded body: events in order, and the requirements before each event;
// requirements[events.size()] are those after the last event, which hold
// back the cursor's move to the end of the range.
struct DecodedBatch {
  std::vector<core::Event> events;
  std::vector<std::vector<Requirement>> requirements;
};

// What a puller checks a batch against: the range it asked for and the
// answer's headers.
struct BatchFrame {
  core::NodeId node_id;      // the serving node: every event's origin
  core::Offset from = 1;     // first offset of the scanned range
  core::Offset next = 1;     // one past its last offset
};

// Decodes a body. DataLoss (naming the offset) on a damaged record or event;
// InvalidArgument when the batch breaks the protocol: an offset outside
// [from, next) or not increasing, an event whose origin is not the serving
// node or whose origin offset is not its offset there. A bad batch is
// rejected whole: nothing of it may be appended.
absl::StatusOr<DecodedBatch> DecodeBatch(const core::EventCodec& codec, const BatchFrame& frame,
                                         std::string_view body);

}  // namespace logbook::net::replication
