#pragma once
// The primitive encodings of docs/log-format.md ("Primitive encodings") and
// the InstanceInfo layout, shared by the event and snapshot codecs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/instance.h"

namespace logbook::storage::codec {

using StringMap = std::map<std::string, std::string>;

inline constexpr std::size_t kChecksumSize = 4;

// Debian's abseil has its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0).
inline absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

// Appends primitives to a string.
class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  void Byte(std::uint8_t value) { out_->push_back(static_cast<char>(value)); }
  void Varint(std::uint64_t value) {
    while (value >= 0x80) {
      Byte(static_cast<std::uint8_t>(value | 0x80));
      value >>= 7;
    }
    Byte(static_cast<std::uint8_t>(value));
  }
  // Zigzag keeps small negative numbers short: 0,-1,1,-2 -> 0,1,2,3.
  void Signed(std::int64_t value) {
    Varint((static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63));
  }
  void String(std::string_view value) {
    Varint(value.size());
    out_->append(value);
  }
  template <typename AnyStringMap>  // StringMap or core::CompactStringMap
  void Map(const AnyStringMap& map) {
    Varint(map.size());
    for (const auto& [key, value] : map) {
      String(key);
      String(value);
    }
  }
  void Status(core::InstanceStatus status) { Byte(static_cast<std::uint8_t>(status)); }

 private:
  std::string* out_;
};

// Reads front to back. The first failure is remembered (which field and why)
// and every later read fails, so callers check once at the end.
class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : rest_(bytes) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return rest_.empty(); }
  std::size_t remaining() const { return rest_.size(); }

  bool Byte(std::string_view field, std::uint8_t* value) {
    if (!ok()) return false;
    if (rest_.empty()) return Fail(field, "truncated");
    *value = static_cast<std::uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }

  bool Varint(std::string_view field, std::uint64_t* value) {
    if (!ok()) return false;
    std::uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (rest_.empty()) return Fail(field, "truncated varint");
      const auto byte = static_cast<std::uint8_t>(rest_[0]);
      rest_.remove_prefix(1);
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return Fail(field, "varint overflows 64 bits");
      result |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) {
        *value = result;
        return true;
      }
    }
    return Fail(field, "varint longer than 10 bytes");
  }

  bool Unsigned32(std::string_view field, std::uint32_t* value) {
    std::uint64_t wide = 0;
    if (!Varint(field, &wide)) return false;
    if (wide > UINT32_MAX) return Fail(field, "value exceeds 32 bits");
    *value = static_cast<std::uint32_t>(wide);
    return true;
  }

  bool Signed64(std::string_view field, std::int64_t* value) {
    std::uint64_t zigzag = 0;
    if (!Varint(field, &zigzag)) return false;
    *value = static_cast<std::int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
    return true;
  }

  bool Signed32(std::string_view field, std::int32_t* value) {
    std::int64_t wide = 0;
    if (!Signed64(field, &wide)) return false;
    if (wide < INT32_MIN || wide > INT32_MAX) return Fail(field, "value exceeds 32 bits");
    *value = static_cast<std::int32_t>(wide);
    return true;
  }

  bool Bool(std::string_view field, bool* value) {
    std::uint8_t byte = 0;
    if (!Byte(field, &byte)) return false;
    if (byte > 1) return Fail(field, "boolean is neither 0 nor 1");
    *value = byte == 1;
    return true;
  }

  bool String(std::string_view field, std::string* value) {
    std::uint64_t length = 0;
    if (!Varint(field, &length)) return false;
    if (length > rest_.size()) return Fail(field, "string runs past the end");
    value->assign(rest_.substr(0, length));
    rest_.remove_prefix(length);
    return true;
  }

  bool String(std::string_view field, core::CompactString* value) {
    std::string_view text;
    if (!StringView(field, &text)) return false;
    *value = text;
    return true;
  }

  // String() without the copy: `value` points into the decoded bytes.
  bool StringView(std::string_view field, std::string_view* value) {
    std::uint64_t length = 0;
    if (!Varint(field, &length)) return false;
    if (length > rest_.size()) return Fail(field, "string runs past the end");
    *value = rest_.substr(0, length);
    rest_.remove_prefix(length);
    return true;
  }

  // Keys must be strictly increasing, as EncodeMap writes them: a duplicate
  // would otherwise vanish silently on insert.
  template <typename AnyStringMap>  // StringMap or core::CompactStringMap
  bool Map(std::string_view field, AnyStringMap* map) {
    std::uint64_t count = 0;
    if (!Varint(field, &count)) return false;
    // Each entry takes at least two bytes; this rejects absurd counts early.
    if (count > rest_.size() / 2) return Fail(field, "entry count runs past the end");
    map->clear();
    std::string_view previous_key;
    for (std::uint64_t i = 0; i < count; ++i) {
      std::string_view key;
      std::string_view value;
      if (!StringView(field, &key) || !StringView(field, &value)) return false;
      if (i > 0 && !(previous_key < key)) return Fail(field, "keys not strictly increasing");
      previous_key = key;
      map->insert_or_assign(typename AnyStringMap::key_type(key),
                            typename AnyStringMap::mapped_type(value));
    }
    return true;
  }

  bool Status(std::string_view field, core::InstanceStatus* status) {
    std::uint8_t byte = 0;
    if (!Byte(field, &byte)) return false;
    if (byte > static_cast<std::uint8_t>(core::InstanceStatus::kUnknown)) {
      return Fail(field, absl::StrCat("unknown instance status ", static_cast<int>(byte)));
    }
    *status = static_cast<core::InstanceStatus>(byte);
    return true;
  }

  bool Fail(std::string_view field, std::string_view reason) {
    if (ok()) error_ = absl::StrCat(View(field), ": ", View(reason));
    return false;
  }

 private:
  std::string_view rest_;
  std::string error_;
};


// InstanceInfo as docs/log-format.md ("InstanceInfo") lays it out.
void EncodeInstanceInfo(const core::InstanceInfo& info, Encoder& enc);
bool DecodeInstanceInfo(Decoder& dec, core::InstanceInfo* info);
// InstanceRecord (docs/log-format.md, "Snapshot body"): the snapshot's
// records and the INSTANCE_SET event's record share this one layout.
void EncodeInstanceRecord(const core::InstanceRecord& record, Encoder& enc);
bool DecodeInstanceRecord(Decoder& dec, core::InstanceRecord* record);

void PutFixed32LittleEndian(std::uint32_t value, std::string* out);
// REQUIRES: bytes.size() >= 4.
std::uint32_t GetFixed32LittleEndian(std::string_view bytes);
// CRC-32 (zlib polynomial) as libdeflate_crc32(0, ...) computes it.
std::uint32_t Crc32(std::string_view bytes);

}  // namespace logbook::storage::codec
