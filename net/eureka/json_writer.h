#pragma once
// Minimal streaming JSON writer: correct string escaping, no DOM. Callers
// are the Eureka and Logbook document writers; handlers never build JSON.
#include <cstdint>
#include <string>
#include <string_view>

namespace logbook::net::eureka {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(std::int64_t value);
  void Uint(std::uint64_t value);
  void Bool(bool value);
  void Null();
  void Double(double value);
  // Inserts already-encoded JSON as one value.
  void Raw(std::string_view json);

 private:
  void Separate();
  std::string* out_;
  bool need_comma_ = false;
};

// Appends `text` JSON-escaped (without quotes).
void AppendJsonEscaped(std::string* out, std::string_view text);

}  // namespace logbook::net::eureka
