#pragma once
// RocksDB's own info log (the LOG file in the data dir), written so that a
// full disk cannot take the node down with it.
//
// Why not RocksDB's default logger: it writes through a WritableFileWriter,
// and Debian's librocksdb is built with assertions, so once an append to LOG
// has failed with ENOSPC the next log line (RocksDB logs the very error that
// stopped the writes) aborts the process. This logger writes with stdio and
// drops what the disk refuses; the log is advice for operators, never state.
//
// Thread: any (RocksDB logs from its background threads); one mutex.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/env.h"

namespace logbook::storage {

// LOG grows to this, then LOG.old takes its place (one old file kept).
inline constexpr std::uint64_t kInfoLogMaxBytes = 16ull << 20;

class RocksDbInfoLog final : public rocksdb::Logger {
 public:
  // Opens `dir`/LOG for appending (it is never renamed at open: another
  // process may be using the dir). Fails, naming the path, when the file
  // cannot be created.
  static absl::StatusOr<std::shared_ptr<RocksDbInfoLog>> Open(const std::string& dir);
  ~RocksDbInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;
  void Flush() override;

 private:
  RocksDbInfoLog(std::string path, std::FILE* file);
  void RotateLocked();  // REQUIRES: mu_ held, file_ not null

  const std::string path_;
  mutable std::mutex mu_;
  std::FILE* file_;  // guarded by mu_; null after a failed rotation: logging stops
  std::uint64_t bytes_ = 0;  // guarded by mu_
};

}  // namespace logbook::storage
