#pragma once
// A streaming XML writer that reproduces XStream's PrettyPrintWriter layout
// (§3.6): a child starts on a new line indented two spaces per level, a text
// value stays inline, an element with neither is closed as <name/>, no
// declaration. Callers are the Eureka XML document writers.
#include <string>
#include <string_view>
#include <vector>

namespace logbook::net::eureka {

// kPretty: XStream's layout (the full flavour). kCompact: no line breaks and
// no indentation, as Jackson's XmlMapper writes the compact flavour (§3.5).
enum class XmlLayout { kPretty, kCompact };

class XmlWriter {
 public:
  // `depth`: how deep in an enclosing document the first element written
  // here sits. Above 0, that element starts on a new line indented to that
  // depth, as it would after a sibling: what a fragment copied into a
  // document at that depth needs (Raw).
  explicit XmlWriter(std::string* out, int depth = 0, XmlLayout layout = XmlLayout::kPretty);

  void StartNode(std::string_view name);
  // REQUIRES: directly after StartNode or another Attribute.
  void Attribute(std::string_view name, std::string_view value);
  void SetValue(std::string_view text);
  void EndNode();
  void Leaf(std::string_view name, std::string_view text);
  // Inserts a whole element written by an XmlWriter constructed with this
  // writer's current depth and layout (a pretty one starts with its own line
  // break and indent).
  void Raw(std::string_view element);
  // How deep the next child element would sit.
  int depth() const { return base_depth_ + static_cast<int>(stack_.size()); }

 private:
  // Closes a pending start tag and, when due, starts a new line indented to
  // the current depth (one less for a closing tag, whose element is still on
  // the stack).
  void FinishTag(bool closing = false);

  std::string* out_;
  int base_depth_;
  XmlLayout layout_;
  std::vector<std::string> stack_;
  bool tag_in_progress_ = false;
  bool ready_for_new_line_ = false;
  bool tag_is_empty_ = false;
};

// XStream's text escaping (PrettyPrintWriter.writeText), except that C0
// control characters XML 1.0 forbids become U+FFFD instead of "&#x1;", which
// strict parsers (expat, the Java clients' StAX) refuse. Never writes a raw
// '<' (so a '<' in the output is always markup).
void AppendXmlEscaped(std::string* out, std::string_view text);

}  // namespace logbook::net::eureka
