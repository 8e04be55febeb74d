#pragma once
// The audit port: how net/ answers GET /logbook/v1/history without knowing
// RocksDB (logbook-interface.md). storage::AuditIndex implements it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/event.h"
#include "core/ids.h"
#include "core/instance.h"

namespace logbook::core {

struct AuditQuery {
  std::string app = {};          // empty: every app (time order of the whole audit log)
  std::string instance_id = {};  // empty: every instance of `app`; REQUIRES: app set if not
  std::optional<TimestampMs> since_ms = {};  // inclusive
  std::optional<TimestampMs> until_ms = {};  // inclusive
  std::vector<EventType> types = {};      // empty: every audited type (all but RENEW)
  Offset from = 1;                      // cursor: events at or after this offset
  std::size_t limit = 100;              // REQUIRES: > 0
};

struct AuditEntry {
  Event event;
  // REGISTER, STATUS_UPDATE, DELETE_STATUS_OVERRIDE: the instance's status
  // as the audit log last set it before this event (nullopt when nothing in
  // the retained audit log set it, or the instance was cancelled/evicted
  // since). RENEWs that recomputed the status are not audited, so this is
  // the last *audited* status.
  std::optional<InstanceStatus> status_before;
};

struct AuditPage {
  std::vector<AuditEntry> entries;  // oldest first
  // Pass as `from` to continue; past every entry this query could return
  // when the page is not full.
  Offset next = 1;
  Offset first_offset = 1;  // oldest offset the audit log still retains
};

class AuditJournal {
 public:
  virtual ~AuditJournal() = default;
  // Any thread; blocks on RocksDB, so never call it on the loop.
  virtual absl::StatusOr<AuditPage> History(const AuditQuery& query) const = 0;
};

}  // namespace logbook::core
