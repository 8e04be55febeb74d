#pragma once
// Structured logs: one logfmt line per event,
//   ts=2026-12-02T02:40:00.123Z level=info msg="..." key=value ...
// `ts` is UTC with milliseconds; a value is written bare when it is a
// non-empty run of printable ASCII without space, '=' or '"', otherwise
// double-quoted with \\, \", \n, \r, \t and \u00XX escapes (other bytes,
// e.g. UTF-8, pass through).
//
// Thread: any. Each line is formatted in a local buffer and written with a
// single fwrite + fflush, so lines from different threads never interleave.
// The write is synchronous: a reader of the sink that stops reading stalls
// the writer (the loop thread included) until it reads again; point the
// sink at a file, journald or a pipe that is drained.
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace logbook::net {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LogLevelName(LogLevel level);

struct LogField {
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  LogField(std::string_view key, std::string_view value) : key(key), value(value) {}
  LogField(std::string_view key, const std::string& value) : key(key), value(std::string_view(value)) {}
  LogField(std::string_view key, const char* value) : key(key), value(std::string_view(value)) {}
  LogField(std::string_view key, bool value) : key(key), value(value) {}
  LogField(std::string_view key, double value) : key(key), value(value) {}
  LogField(std::string_view key, int value) : key(key), value(std::int64_t{value}) {}
  LogField(std::string_view key, long value) : key(key), value(std::int64_t{value}) {}
  LogField(std::string_view key, long long value) : key(key), value(std::int64_t{value}) {}
  LogField(std::string_view key, unsigned value) : key(key), value(std::uint64_t{value}) {}
  LogField(std::string_view key, unsigned long value) : key(key), value(std::uint64_t{value}) {}
  LogField(std::string_view key, unsigned long long value)
      : key(key), value(std::uint64_t{value}) {}

  std::string_view key;  // REQUIRES: [a-z0-9_]+, not ts, level or msg
  Value value;
};

class Logger {
 public:
  // Lines below `min_level` are dropped. `sink` is not owned.
  explicit Logger(LogLevel min_level = LogLevel::kInfo, std::FILE* sink = stderr)
      : min_level_(min_level), sink_(sink) {}

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  LogLevel min_level() const { return min_level_; }

  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogLevel::kDebug)) Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogLevel::kInfo)) Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    if (Enabled(LogLevel::kWarn)) Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, msg, fields);
  }

  // One line to `sink` whatever the level (the startup banner on stdout).
  static void WriteLine(std::FILE* sink, LogLevel level, std::string_view msg,
                        std::initializer_list<LogField> fields);

 private:
  const LogLevel min_level_;
  std::FILE* const sink_;
};

// The line, without the trailing newline; `now_ms` is Unix time.
std::string FormatLogLine(std::int64_t now_ms, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);
// A logfmt value, quoted only when needed.
void AppendLogfmtValue(std::string* out, std::string_view value);

}  // namespace logbook::net
