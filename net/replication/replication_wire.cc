#include "net/replication/replication_wire.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"

namespace logbook::net::replication {
namespace {

void PutBigEndian(std::uint64_t value, int bytes, std::string* out) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

std::uint64_t GetBigEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (const char c : bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

}  // namespace

void AppendRecord(const core::EventCodec& codec, const core::Event& event, std::string* body) {
  PutBigEndian(event.offset, 8, body);
  const std::size_t length_at = body->size();
  PutBigEndian(0, 4, body);  // patched once the event is encoded
  const std::size_t start = body->size();
  codec.Encode(event, body);
  const std::size_t length = body->size() - start;
  for (int i = 0; i < 4; ++i) {
    (*body)[length_at + i] = static_cast<char>((length >> ((3 - i) * 8)) & 0xFF);
  }
}

void AppendEncodedRecord(core::Offset offset, std::string_view encoded, std::string* body) {
  PutBigEndian(offset, 8, body);
  PutBigEndian(encoded.size(), 4, body);
  body->append(encoded);
}

void AppendRequirement(const Requirement& requirement, std::string* body) {
  PutBigEndian(requirement.offset, 8, body);
  PutBigEndian(kRequirementFlag | (8 + requirement.origin.size()), 4, body);
  PutBigEndian(requirement.origin_offset, 8, body);
  body->append(requirement.origin);
}

absl::StatusOr<DecodedBatch> DecodeBatch(const core::EventCodec& codec, const BatchFrame& frame,
                                         std::string_view body) {
  DecodedBatch batch;
  std::vector<Requirement> pending;
  core::Offset previous = frame.from - 1;
  while (!body.empty()) {
    if (body.size() < kRecordHeaderSize) {
      return absl::DataLossError(absl::StrCat("replication batch from ", frame.node_id,
                                              ": truncated record header after offset ", previous));
    }
    const core::Offset offset = GetBigEndian(body.substr(0, 8));
    const std::uint64_t raw_length = GetBigEndian(body.substr(8, 4));
    const bool requirement = (raw_length & kRequirementFlag) != 0;
    const std::size_t length = raw_length & ~std::uint64_t{kRequirementFlag};
    body.remove_prefix(kRecordHeaderSize);
    if (length > kMaxRecordBytes || length > body.size()) {
      return absl::DataLossError(absl::StrCat("replication batch from ", frame.node_id,
                                              ": record at offset ", offset, " claims ", length,
                                              " bytes, ", body.size(), " left"));
    }
    if (offset <= previous || offset >= frame.next) {
      return absl::InvalidArgumentError(
          absl::StrCat("replication batch from ", frame.node_id, ": offset ", offset,
                       " is outside [", previous + 1, ", ", frame.next, ")"));
    }
    if (requirement) {
      if (length <= 8) {
        return absl::DataLossError(absl::StrCat("replication batch from ", frame.node_id,
                                                ": requirement at offset ", offset,
                                                " names no origin"));
      }
      Requirement parsed;
      parsed.offset = offset;
      parsed.origin_offset = GetBigEndian(body.substr(0, 8));
      parsed.origin = std::string(body.substr(8, length - 8));
      body.remove_prefix(length);
      previous = offset;
      pending.push_back(std::move(parsed));
      continue;
    }
    ASSIGN_OR_RETURN(core::Event event, codec.Decode(body.substr(0, length), offset));
    body.remove_prefix(length);
    if (event.origin_node != frame.node_id || event.origin_offset != offset) {
      return absl::InvalidArgumentError(absl::StrCat(
          "replication batch from ", frame.node_id, ": event at offset ", offset,
          " originated at ", event.origin_node, "/", event.origin_offset,
          ", not at the serving node"));
    }
    previous = offset;
    batch.events.push_back(std::move(event));
    batch.requirements.push_back(std::move(pending));
    pending.clear();
  }
  batch.requirements.push_back(std::move(pending));
  return batch;
}

}  // namespace logbook::net::replication
