#include "net/replication/snapshot_fetcher.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/replication/replication_wire.h"

namespace logbook::net::replication {

absl::StatusOr<std::optional<FetchedSnapshot>> FetchSnapshot(PeerHttpClient& client,
                                                             const core::NodeId& self,
                                                             const SnapshotValidator& validate,
                                                             std::int64_t read_timeout_ms) {
  ASSIGN_OR_RETURN(PeerResponse response,
                   client.Get("/logbook/v1/replication/snapshot", read_timeout_ms));
  if (response.status == 503 && response.Header(kBootstrappingHeader) == "true") {
    return std::nullopt;
  }
  const std::string node_id(response.Header(kNodeIdHeader));
  const std::string identity(response.Header(kLogIdentityHeader));
  const std::string_view offset_text = response.Header(kSnapshotOffsetHeader);
  core::Offset offset = 0;
  const auto [end, ec] =
      std::from_chars(offset_text.data(), offset_text.data() + offset_text.size(), offset);
  if (node_id.empty() || identity.empty() || offset_text.empty() || ec != std::errc() ||
      end != offset_text.data() + offset_text.size()) {
    if (response.status != 200) {
      return absl::AbortedError(absl::StrCat("snapshot request answered HTTP ", response.status,
                                             ": ", response.body.substr(0, 200)));
    }
    return absl::DataLossError("the answer is not a Logbook snapshot transfer (headers missing)");
  }
  if (node_id == self) {
    return absl::FailedPreconditionError("the peer URL points at this node itself");
  }
  if (response.status == 200 && offset == 0) return std::nullopt;  // an empty log
  if (response.status != 200) {
    return absl::AbortedError(absl::StrCat("snapshot request answered HTTP ", response.status,
                                           ": ", response.body.substr(0, 200)));
  }
  ASSIGN_OR_RETURN(SnapshotTransfer transfer,
                   DecodeSnapshotTransfer(SnapshotFrame{node_id, identity, offset}, response.body));
  if (absl::Status valid = validate(transfer.snapshot, transfer.offset); !valid.ok()) {
    return absl::DataLossError(absl::StrCat("snapshot from ", node_id,
                                            " does not decode: ", std::string(core::MessageOf(valid))));
  }
  return FetchedSnapshot{node_id, identity, std::move(transfer)};
}

}  // namespace logbook::net::replication
