#include "storage/rocksdb_status.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace logbook::storage {
namespace {

using rocksdb::Status;

// Debian's abseil has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0).
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// RocksDB reports a held LOCK file as a plain IOError. Two texts exist:
// "While lock file: <dir>/LOCK: ..." when another process holds the fcntl
// lock, and "lock hold by current process ..." when this process already
// opened the dir. Both mean the same thing to an operator.
bool IsLockConflict(const Status& status) {
  if (!status.IsIOError()) return false;
  const std::string text = status.ToString();
  return absl::StrContains(text, "While lock file") ||
         absl::StrContains(text, "lock hold by current process");
}

absl::StatusCode CodeFor(const Status& status) {
  switch (status.code()) {
    case Status::kOk:
      return absl::StatusCode::kOk;
    case Status::kNotFound:
      return absl::StatusCode::kNotFound;
    case Status::kCorruption:
      return absl::StatusCode::kDataLoss;
    case Status::kNotSupported:
      return absl::StatusCode::kUnimplemented;
    case Status::kInvalidArgument:
      return absl::StatusCode::kInvalidArgument;
    case Status::kIOError:
      if (status.IsNoSpace()) return absl::StatusCode::kResourceExhausted;
      if (status.IsPathNotFound()) return absl::StatusCode::kNotFound;
      // errno text, as RocksDB formats it with strerror.
      if (absl::StrContains(status.ToString(), "Permission denied")) {
        return absl::StatusCode::kPermissionDenied;
      }
      return absl::StatusCode::kInternal;
    case Status::kBusy:
    case Status::kTryAgain:
      return absl::StatusCode::kUnavailable;
    case Status::kTimedOut:
    case Status::kExpired:
      return absl::StatusCode::kDeadlineExceeded;
    case Status::kAborted:
      return absl::StatusCode::kAborted;
    case Status::kShutdownInProgress:
      return absl::StatusCode::kCancelled;
    case Status::kColumnFamilyDropped:
      return absl::StatusCode::kFailedPrecondition;
    default:  // kMergeInProgress, kIncomplete and any code added later
      return absl::StatusCode::kInternal;
  }
}

std::string Describe(const RocksDbContext& context) {
  std::string text = absl::StrCat("rocksdb ", View(context.operation));
  if (!context.column_family.empty()) {
    absl::StrAppend(&text, " on column family '", View(context.column_family), "'");
  }
  if (context.last_offset != core::kNoOffset && context.last_offset != context.offset) {
    absl::StrAppend(&text, " at offsets ", context.offset, "..", context.last_offset);
  } else if (context.offset != core::kNoOffset) {
    absl::StrAppend(&text, " at offset ", context.offset);
  }
  if (!context.data_dir.empty()) absl::StrAppend(&text, " in ", View(context.data_dir));
  return text;
}

}  // namespace

absl::Status FromRocksDb(const rocksdb::Status& status, const RocksDbContext& context) {
  if (status.ok()) return absl::OkStatus();
  if (IsLockConflict(status)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data dir ", context.data_dir.empty() ? "(unnamed)" : View(context.data_dir),
                     " is locked by another logbook process (", Describe(context), ": ",
                     status.ToString(), ")"));
  }
  return absl::Status(CodeFor(status), absl::StrCat(Describe(context), ": ", status.ToString()));
}

}  // namespace logbook::storage
