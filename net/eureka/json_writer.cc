#include "net/eureka/json_writer.h"

#include <charconv>
#include <cmath>

#include "net/eureka/utf8.h"

namespace logbook::net::eureka {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

void AppendJsonEscaped(std::string* out, std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one append.
    std::size_t run = i;
    while (run < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[run]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out->append(text.data() + i, run - i);
    i = run;
    if (i >= text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Valid UTF-8 passes through; a stray byte would make the whole
      // document unreadable to strict clients, so it becomes U+FFFD.
      const std::size_t length = DecodeUtf8(text, i).length;
      if (length == 0) {
        out->append(kUtf8Replacement);
        ++i;
      } else {
        out->append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      // Jackson (the legacy codec) uses the short forms for these five.
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
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
        out->append("\\u00");
        out->push_back(kHexDigits[c >> 4]);
        out->push_back(kHexDigits[c & 0xF]);
        break;
    }
    ++i;
  }
}

void JsonWriter::Separate() {
  if (need_comma_) out_->push_back(',');
}

void JsonWriter::BeginObject() {
  Separate();
  out_->push_back('{');
  need_comma_ = false;
}

void JsonWriter::EndObject() {
  out_->push_back('}');
  need_comma_ = true;
}

void JsonWriter::BeginArray() {
  Separate();
  out_->push_back('[');
  need_comma_ = false;
}

void JsonWriter::EndArray() {
  out_->push_back(']');
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  out_->push_back('"');
  AppendJsonEscaped(out_, key);
  out_->append("\":");
  // The value that follows must not be preceded by a comma.
  need_comma_ = false;
}

void JsonWriter::String(std::string_view value) {
  Separate();
  out_->push_back('"');
  AppendJsonEscaped(out_, value);
  out_->push_back('"');
  need_comma_ = true;
}

void JsonWriter::Int(std::int64_t value) {
  Separate();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, result.ptr);
  need_comma_ = true;
}

void JsonWriter::Uint(std::uint64_t value) {
  Separate();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, result.ptr);
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_->append(value ? "true" : "false");
  need_comma_ = true;
}

void JsonWriter::Null() {
  Separate();
  out_->append("null");
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  // JSON has no NaN or infinity.
  if (!std::isfinite(value)) {
    Null();
    return;
  }
  Separate();
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_->append(buffer, result.ptr);
  need_comma_ = true;
}

void JsonWriter::Raw(std::string_view json) {
  Separate();
  out_->append(json);
  need_comma_ = true;
}

}  // namespace logbook::net::eureka
