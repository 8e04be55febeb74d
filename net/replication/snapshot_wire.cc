#include "net/replication/snapshot_wire.h"

#include <libdeflate.h>

#include <set>

#include "absl/strings/str_cat.h"

namespace logbook::net::replication {
namespace {

void PutBigEndian(std::uint64_t value, int bytes, std::string* out) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

std::uint32_t Crc32(std::string_view bytes) {
  return libdeflate_crc32(0, bytes.data(), bytes.size());
}

// Reads big-endian numbers and length-prefixed strings off the front of a
// body, remembering the first shortfall.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  std::uint64_t Number(int bytes) {
    if (rest_.size() < static_cast<std::size_t>(bytes)) return Short();
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(rest_[i]);
    rest_.remove_prefix(bytes);
    return value;
  }
  std::string_view Bytes(std::uint64_t length) {
    if (rest_.size() < length) {
      Short();
      return {};
    }
    std::string_view out = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return out;
  }
  bool truncated() const { return truncated_; }
  std::size_t remaining() const { return rest_.size(); }

 private:
  std::uint64_t Short() {
    truncated_ = true;
    rest_ = {};
    return 0;
  }
  std::string_view rest_;
  bool truncated_ = false;
};

}  // namespace

std::string EncodeSnapshotTransfer(const SnapshotTransfer& transfer) {
  std::string body(kSnapshotMagic);
  body.push_back(static_cast<char>(kSnapshotTransferVersion));
  PutBigEndian(transfer.offset, 8, &body);
  PutBigEndian(transfer.cursors.size(), 4, &body);
  for (const core::PeerCursor& cursor : transfer.cursors) {
    PutBigEndian(cursor.peer_node_id.size(), 2, &body);
    body.append(cursor.peer_node_id);
    PutBigEndian(cursor.peer_log_identity.size(), 2, &body);
    body.append(cursor.peer_log_identity);
    PutBigEndian(cursor.next_offset, 8, &body);
  }
  PutBigEndian(transfer.snapshot.size(), 8, &body);
  body.append(transfer.snapshot);
  PutBigEndian(Crc32(body), 4, &body);
  return body;
}

absl::StatusOr<SnapshotTransfer> DecodeSnapshotTransfer(const SnapshotFrame& frame,
                                                        std::string_view body) {
  const std::string context = absl::StrCat("snapshot from ", frame.node_id, ": ");
  constexpr std::size_t kFixed = 4 + 1 + 8 + 4 + 8 + 4;
  if (body.size() < kFixed) {
    return absl::DataLossError(absl::StrCat(context, "truncated body (", body.size(), " bytes)"));
  }
  // The checksum first: nothing of a damaged body is interpreted.
  Reader crc_reader(body.substr(body.size() - 4));
  const std::uint32_t stored = static_cast<std::uint32_t>(crc_reader.Number(4));
  if (Crc32(body.substr(0, body.size() - 4)) != stored) {
    return absl::DataLossError(absl::StrCat(context, "checksum mismatch (truncated or damaged)"));
  }
  Reader reader(body.substr(0, body.size() - 4));
  if (reader.Bytes(4) != kSnapshotMagic) {
    return absl::DataLossError(absl::StrCat(context, "bad magic"));
  }
  const std::uint64_t version = reader.Number(1);
  if (version != kSnapshotTransferVersion) {
    return absl::InvalidArgumentError(absl::StrCat(context, "unknown version ", version));
  }
  SnapshotTransfer transfer;
  transfer.offset = reader.Number(8);
  if (transfer.offset != frame.offset || transfer.offset == 0) {
    return absl::InvalidArgumentError(absl::StrCat(context, "body is for offset ", transfer.offset,
                                                   ", headers say ", frame.offset));
  }
  const std::uint64_t count = reader.Number(4);
  // Each cursor takes at least 12 bytes: a count beyond that is damage, not
  // an allocation to make.
  if (count > reader.remaining() / 12) {
    return absl::DataLossError(absl::StrCat(context, "cursor count ", count, " exceeds the body"));
  }
  std::set<std::string> origins;
  for (std::uint64_t i = 0; i < count; ++i) {
    core::PeerCursor cursor;
    cursor.peer_node_id = std::string(reader.Bytes(reader.Number(2)));
    cursor.peer_log_identity = std::string(reader.Bytes(reader.Number(2)));
    cursor.next_offset = reader.Number(8);
    if (reader.truncated()) break;
    if (cursor.peer_node_id.empty() || cursor.peer_log_identity.empty() ||
        cursor.next_offset == 0) {
      return absl::DataLossError(absl::StrCat(context, "malformed cursor ", i));
    }
    if (!origins.insert(cursor.peer_node_id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(context, "two cursors for origin ", cursor.peer_node_id));
    }
    transfer.cursors.push_back(std::move(cursor));
  }
  const std::uint64_t length = reader.Number(8);
  transfer.snapshot = std::string(reader.Bytes(length));
  if (reader.truncated() || reader.remaining() != 0) {
    return absl::DataLossError(absl::StrCat(context, "framing does not match the body's length"));
  }
  // The serving node's own stream resumes right after the snapshot.
  const bool own_cursor_ok =
      !transfer.cursors.empty() && transfer.cursors.front().peer_node_id == frame.node_id &&
      transfer.cursors.front().peer_log_identity == frame.log_identity &&
      transfer.cursors.front().next_offset == transfer.offset + 1;
  if (!own_cursor_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        context, "the first cursor must be the serving node's own at offset ", frame.offset + 1));
  }
  return transfer;
}

}  // namespace logbook::net::replication
