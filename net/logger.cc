#include "net/logger.h"

#include <charconv>
#include <chrono>
#include <ctime>

#include "absl/strings/str_format.h"

namespace logbook::net {
namespace {

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '=' || c == '"' || c == '\\') return true;
  }
  return false;
}

void AppendTimestamp(std::string* out, std::int64_t now_ms) {
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  absl::StrAppendFormat(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                        utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                        static_cast<int>(now_ms % 1000));
}

void AppendField(std::string* out, const LogField& field) {
  out->push_back(' ');
  out->append(field.key);
  out->push_back('=');
  std::visit(
      [out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          AppendLogfmtValue(out, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(value ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[32];
          const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
          out->append(buffer, ec == std::errc() ? end : buffer);
        } else {
          char buffer[24];
          const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
          out->append(buffer, ec == std::errc() ? end : buffer);
        }
      },
      field.value);
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

void AppendLogfmtValue(std::string* out, std::string_view value) {
  if (!NeedsQuotes(value)) {
    out->append(value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          absl::StrAppendFormat(out, "\\u%04x", byte);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string FormatLogLine(std::int64_t now_ms, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  line.append("ts=");
  AppendTimestamp(&line, now_ms);
  line.append(" level=");
  line.append(LogLevelName(level));
  line.append(" msg=");
  AppendLogfmtValue(&line, msg);
  for (const LogField& field : fields) AppendField(&line, field);
  return line;
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  WriteLine(sink_, level, msg, fields);
}

void Logger::WriteLine(std::FILE* sink, LogLevel level, std::string_view msg,
                       std::initializer_list<LogField> fields) {
  std::string line = FormatLogLine(NowMs(), level, msg, fields);
  line.push_back('\n');
  // One call: stdio locks the stream per call, so concurrent lines stay whole.
  std::fwrite(line.data(), 1, line.size(), sink);
  std::fflush(sink);
}

}  // namespace logbook::net
