#include "net/eureka/xml_writer.h"

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/eureka/utf8.h"

namespace logbook::net::eureka {

void AppendXmlEscaped(std::string* out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char c = DecodeUtf8(text, i);
    if (c.length == 0) {
      out->append(kUtf8Replacement);
      ++i;
      continue;
    }
    switch (c.code_point) {
      case '&':
        out->append("&amp;");
        break;
      case '<':
        out->append("&lt;");
        break;
      case '>':
        out->append("&gt;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '\'':
        out->append("&apos;");
        break;
      case '\r':
        out->append("&#xd;");
        break;
      case '\t':
      case '\n':
        out->push_back(static_cast<char>(c.code_point));
        break;
      default:
        if (c.code_point < 0x20) {
          out->append(kUtf8Replacement);
        } else if (c.code_point >= 0x7F && c.code_point <= 0x9F) {
          // Legal in XML 1.0, but XStream writes ISO controls as references.
          absl::StrAppend(out, "&#x", absl::Hex(c.code_point), ";");
        } else {
          out->append(text.data() + i, c.length);
        }
        break;
    }
    i += c.length;
  }
}

XmlWriter::XmlWriter(std::string* out, int depth, XmlLayout layout)
    : out_(out), base_depth_(depth), layout_(layout), ready_for_new_line_(depth > 0) {}

void XmlWriter::StartNode(std::string_view name) {
  FinishTag();
  out_->push_back('<');
  out_->append(name);
  stack_.emplace_back(name);
  tag_in_progress_ = true;
  ready_for_new_line_ = true;
  tag_is_empty_ = true;
}

void XmlWriter::Attribute(std::string_view name, std::string_view value) {
  out_->push_back(' ');
  out_->append(name);
  out_->append("=\"");
  AppendXmlEscaped(out_, value);
  out_->push_back('"');
}

void XmlWriter::SetValue(std::string_view text) {
  ready_for_new_line_ = false;
  tag_is_empty_ = false;
  FinishTag();
  AppendXmlEscaped(out_, text);
}

void XmlWriter::EndNode() {
  LOGBOOK_CHECK(!stack_.empty());
  if (tag_is_empty_) {
    out_->append("/>");
    tag_in_progress_ = false;
  } else {
    FinishTag(/*closing=*/true);
    absl::StrAppend(out_, "</", stack_.back(), ">");
  }
  stack_.pop_back();
  ready_for_new_line_ = true;
  tag_is_empty_ = false;
}

void XmlWriter::Leaf(std::string_view name, std::string_view text) {
  StartNode(name);
  SetValue(text);
  EndNode();
}

void XmlWriter::Raw(std::string_view element) {
  // The element brings its own line break, so only a pending start tag is
  // closed here; afterwards the writer stands where EndNode would leave it.
  if (tag_in_progress_) out_->push_back('>');
  tag_in_progress_ = false;
  out_->append(element);
  ready_for_new_line_ = true;
  tag_is_empty_ = false;
}

void XmlWriter::FinishTag(bool closing) {
  if (tag_in_progress_) out_->push_back('>');
  tag_in_progress_ = false;
  if (ready_for_new_line_ && layout_ == XmlLayout::kPretty) {
    out_->push_back('\n');
    const std::size_t depth =
        static_cast<std::size_t>(base_depth_) + stack_.size() - (closing ? 1 : 0);
    out_->append(2 * depth, ' ');
  }
  ready_for_new_line_ = false;
  tag_is_empty_ = false;
}

}  // namespace logbook::net::eureka
