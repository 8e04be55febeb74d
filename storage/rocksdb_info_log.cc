#include "storage/rocksdb_info_log.h"

#include <sys/time.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace logbook::storage {

absl::StatusOr<std::shared_ptr<RocksDbInfoLog>> RocksDbInfoLog::Open(const std::string& dir) {
  const std::string path = dir + "/LOG";
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create RocksDB's info log ", path, ": ", std::strerror(errno)));
  }
  auto log = std::shared_ptr<RocksDbInfoLog>(new RocksDbInfoLog(path, file));
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  log->bytes_ = error ? 0 : size;
  return log;
}

RocksDbInfoLog::RocksDbInfoLog(std::string path, std::FILE* file)
    : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), path_(std::move(path)), file_(file) {}

RocksDbInfoLog::~RocksDbInfoLog() {
  if (file_ != nullptr) std::fclose(file_);
}

void RocksDbInfoLog::Logv(const char* format, va_list ap) {
  char line[4096];
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm local{};
  ::localtime_r(&now.tv_sec, &local);
  int used = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ",
                           local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour,
                           local.tm_min, local.tm_sec, static_cast<long>(now.tv_usec));
  if (used < 0) return;
  va_list copy;
  va_copy(copy, ap);
  const int body = std::vsnprintf(line + used, sizeof line - used, format, copy);
  va_end(copy);
  if (body < 0) return;
  std::size_t length = std::min(sizeof line - 1, static_cast<std::size_t>(used + body));
  if (length == 0 || line[length - 1] != '\n') {
    if (length == sizeof line - 1) --length;
    line[length++] = '\n';
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr && bytes_ + length > kInfoLogMaxBytes) RotateLocked();
  if (file_ == nullptr) return;
  // A short write (disk full) is dropped on purpose: see the header.
  bytes_ += std::fwrite(line, 1, length, file_);
  std::fflush(file_);
}

void RocksDbInfoLog::RotateLocked() {
  std::fclose(file_);
  std::error_code ignored;
  std::filesystem::rename(path_, path_ + ".old", ignored);
  file_ = std::fopen(path_.c_str(), "a");
  bytes_ = 0;
}

size_t RocksDbInfoLog::GetLogFileSize() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void RocksDbInfoLog::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) std::fflush(file_);
}

}  // namespace logbook::storage
