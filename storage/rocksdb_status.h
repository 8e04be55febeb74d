#pragma once
// The one place a rocksdb::Status becomes an absl::Status. Every RocksDB call
// in storage/ goes through FromRocksDb, so every failure names what was being
// done, on which column family and at which offset.
#include <string_view>

#include "absl/status/status.h"
#include "core/ids.h"
#include "rocksdb/status.h"

namespace logbook::storage {

struct RocksDbContext {
  std::string_view operation = {};             // "Open", "Write", "Get", "Iterate", ...
  std::string_view column_family = {};         // empty when the call is not about one
  core::Offset offset = core::kNoOffset;       // kNoOffset when not about one event
  core::Offset last_offset = core::kNoOffset;  // set for a range offset..last_offset
  std::string_view data_dir = {};              // named in Open failures, e.g. a held lock
};

// OK stays OK. Corruption becomes DataLoss; the LOCK file held by another
// process (or another open in this one) becomes FailedPrecondition "data dir
// X is locked by another logbook process"; an out-of-space write becomes
// ResourceExhausted; other I/O errors become Internal. The message carries the
// context and RocksDB's own text.
absl::Status FromRocksDb(const rocksdb::Status& status, const RocksDbContext& context);

}  // namespace logbook::storage
