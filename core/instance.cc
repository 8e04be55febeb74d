#include "core/instance.h"

#include <array>
#include <optional>

namespace logbook::core {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"UP", "DOWN", "STARTING",
                                                          "OUT_OF_SERVICE", "UNKNOWN"};
constexpr std::array<std::string_view, 3> kActionNames = {"ADDED", "MODIFIED", "DELETED"};

// Length of the UTF-8 sequence starting at `text[i]`, or 0 if it is invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length;
  std::uint32_t code_point;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
      (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
    return 0;
  }
  return length;
}

}  // namespace

std::string_view StatusName(InstanceStatus status) {
  return kStatusNames[static_cast<std::size_t>(status)];
}

std::optional<InstanceStatus> ParseStatus(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<InstanceStatus>(i);
  }
  return std::nullopt;
}

InstanceStatus ParseStatusLenient(std::string_view name) {
  return ParseStatus(name).value_or(InstanceStatus::kUnknown);
}

std::string_view ActionTypeName(ActionType action) {
  return kActionNames[static_cast<std::size_t>(action)];
}

std::string_view InstanceInfo::EffectiveId() const {
  if (instance_id.has_value() && !instance_id->empty()) return instance_id.view();
  if (data_center.IsAmazon()) {
    auto it = data_center.metadata.find("instance-id");
    if (it != data_center.metadata.end() && !it->second.empty()) return it->second.view();
  }
  return host_name.view();
}

namespace {

// The static copy of a data center class every instance repeats, if
// `class_name` is one.
std::optional<std::string_view> KnownDataCenterClass(std::string_view class_name) {
  for (std::string_view known : {kDefaultDataCenterClass, kAmazonDataCenterClass}) {
    if (class_name == known) return known;
  }
  return std::nullopt;
}

}  // namespace

void ShareKnownValues(InstanceInfo& info) {
  CompactString& class_name = info.data_center.class_name;
  if (!class_name.has_value()) return;
  if (std::optional<std::string_view> known = KnownDataCenterClass(class_name.view())) {
    class_name = CompactString::Literal(*known);
  }
}

CompactString SharedDataCenterClass(std::string_view class_name) {
  if (std::optional<std::string_view> known = KnownDataCenterClass(class_name)) {
    return CompactString::Literal(*known);
  }
  return CompactString(class_name);
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) return false;
    const std::size_t length = Utf8SequenceLength(name, i);
    if (length == 0) return false;
    // C1 control characters (U+0080..U+009F) are encoded as C2 80..C2 9F.
    if (length == 2 && c == 0xC2 && static_cast<unsigned char>(name[i + 1]) < 0xA0) return false;
    i += length;
  }
  return true;
}

std::string ToUpperAscii(std::string_view text) {
  std::string upper(text);
  ToUpperAsciiInPlace(upper);
  return upper;
}

void ToUpperAsciiInPlace(std::string& text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
}

}  // namespace logbook::core
