#include "net/http_request_parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "net/http_ascii.h"
#include "net/http_target.h"

namespace logbook::net {

HttpRequestParser::HttpRequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes,
                                     Listener* listener)
    : max_header_bytes_(max_header_bytes), max_body_bytes_(max_body_bytes), listener_(listener) {
  // Lenient modes stay off (llhttp's default): request smuggling lives in
  // the ambiguities they accept.
  llhttp_init(&parser_, HTTP_REQUEST, &Settings());
  parser_.data = this;
}

const llhttp_settings_t& HttpRequestParser::Settings() {
  // Immutable after first use; shared by every parser.
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpRequestParser::OnMessageBegin;
    s.on_url = &HttpRequestParser::OnUrl;
    s.on_header_field = &HttpRequestParser::OnHeaderField;
    s.on_header_value = &HttpRequestParser::OnHeaderValue;
    s.on_header_value_complete = &HttpRequestParser::OnHeaderValueComplete;
    s.on_headers_complete = &HttpRequestParser::OnHeadersComplete;
    s.on_chunk_header = &HttpRequestParser::OnChunkHeader;
    s.on_body = &HttpRequestParser::OnBody;
    s.on_message_complete = &HttpRequestParser::OnMessageComplete;
    return s;
  }();
  return settings;
}

HttpRequestParser& HttpRequestParser::Self(llhttp_t* parser) {
  return *static_cast<HttpRequestParser*>(parser->data);
}

std::size_t HttpRequestParser::Feed(std::string_view bytes) {
  if (state_ == State::kStopped || state_ == State::kFailed || bytes.empty()) {
    return 0;
  }
  state_ = State::kReady;
  const char* begin = bytes.data();
  llhttp_errno_t err = llhttp_execute(&parser_, begin, bytes.size());
  if (err == HPE_OK) return bytes.size();

  std::size_t consumed = bytes.size();
  if (const char* pos = llhttp_get_error_pos(&parser_);
      pos >= begin && pos <= begin + bytes.size()) {
    consumed = static_cast<std::size_t>(pos - begin);
  }
  if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
    if (stop_after_message_ || err == HPE_PAUSED_UPGRADE) {
      state_ = State::kStopped;
      return consumed;
    }
    llhttp_resume(&parser_);
    state_ = State::kPaused;
    return consumed;
  }

  state_ = State::kFailed;
  in_head_ = false;
  in_body_ = false;
  if (reject_status_ != 0) {
    listener_->OnParseError(reject_status_, std::move(reject_detail_));
  } else if (err == HPE_PAUSED_H2_UPGRADE) {
    listener_->OnParseError(400, "HTTP/2 is not supported");
  } else {
    const char* reason = llhttp_get_error_reason(&parser_);
    listener_->OnParseError(400, reason != nullptr ? reason : llhttp_errno_name(err));
  }
  return consumed;
}

bool HttpRequestParser::CountHeadBytes(std::size_t length) {
  head_bytes_ += length;
  if (head_bytes_ <= max_header_bytes_) return true;
  Reject(431, absl::StrCat("request header block exceeds ", max_header_bytes_, " bytes"));
  return false;
}

void HttpRequestParser::Reject(int status, std::string detail) {
  reject_status_ = status;
  reject_detail_ = std::move(detail);
}

int HttpRequestParser::OnMessageBegin(llhttp_t* parser) {
  HttpRequestParser& self = Self(parser);
  self.request_.Reset();
  self.field_.clear();
  self.value_.clear();
  self.head_bytes_ = 0;
  self.in_head_ = true;
  self.in_body_ = false;
  self.listener_->OnRequestBegin();
  return 0;
}

int HttpRequestParser::OnUrl(llhttp_t* parser, const char* at, std::size_t length) {
  HttpRequestParser& self = Self(parser);
  if (!self.CountHeadBytes(length)) return HPE_USER;
  self.request_.target.append(at, length);
  return 0;
}

int HttpRequestParser::OnHeaderField(llhttp_t* parser, const char* at, std::size_t length) {
  HttpRequestParser& self = Self(parser);
  if (!self.CountHeadBytes(length)) return HPE_USER;
  // Trailers (after a chunked body) are counted against the limit but not
  // kept: nothing downstream reads them.
  if (!self.in_body_) self.field_.append(at, length);
  return 0;
}

int HttpRequestParser::OnHeaderValue(llhttp_t* parser, const char* at, std::size_t length) {
  HttpRequestParser& self = Self(parser);
  if (!self.CountHeadBytes(length)) return HPE_USER;
  if (!self.in_body_) self.value_.append(at, length);
  return 0;
}

int HttpRequestParser::OnHeaderValueComplete(llhttp_t* parser) {
  HttpRequestParser& self = Self(parser);
  // ": " and CRLF, so that many tiny headers still add up.
  if (!self.CountHeadBytes(4)) return HPE_USER;
  if (!self.in_body_) {
    // llhttp's non-strict build lets spaces into field names ("Bad Header");
    // its strict build would also refuse raw UTF-8 in paths, which some
    // clients send. Checking the name here keeps headers unambiguous.
    if (!IsHttpToken(self.field_)) {
      self.Reject(400, "invalid header field name");
      return HPE_USER;
    }
    self.request_.AddHeader(self.field_, self.value_);
  }
  self.field_.clear();
  self.value_.clear();
  return 0;
}

int HttpRequestParser::OnHeadersComplete(llhttp_t* parser) {
  HttpRequestParser& self = Self(parser);
  HttpRequest& request = self.request_;
  self.in_head_ = false;
  self.in_body_ = true;
  self.head_bytes_ = 0;  // trailers get their own budget
  request.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(parser)));
  if (absl::Status status = ParseRequestTarget(request.target, &request.path, &request.query);
      !status.ok()) {
    self.Reject(400, std::string(status.message()));
    return -1;
  }
  if ((parser->flags & F_CONTENT_LENGTH) != 0) {
    // Refuse now rather than after reading (and discarding) the body.
    if (parser->content_length > self.max_body_bytes_) {
      self.Reject(413,
                  absl::StrCat("request body of ", parser->content_length,
                               " bytes exceeds the limit of ", self.max_body_bytes_, " bytes"));
      return -1;
    }
    request.body.reserve(parser->content_length);
  }
  request.keep_alive = llhttp_should_keep_alive(parser) != 0;
  self.listener_->OnRequestHead(request);
  return 0;
}

int HttpRequestParser::OnChunkHeader(llhttp_t* parser) {
  HttpRequestParser& self = Self(parser);
  // content_length holds this chunk's size: refuse before reading it.
  std::uint64_t total = self.request_.body.size() + parser->content_length;
  if (parser->content_length > self.max_body_bytes_ || total > self.max_body_bytes_) {
    self.Reject(413, absl::StrCat("chunked request body exceeds the limit of ",
                                  self.max_body_bytes_, " bytes"));
    return -1;
  }
  return 0;
}

int HttpRequestParser::OnBody(llhttp_t* parser, const char* at, std::size_t length) {
  HttpRequestParser& self = Self(parser);
  if (self.request_.body.size() + length > self.max_body_bytes_) {
    self.Reject(413,
                absl::StrCat("request body exceeds the limit of ", self.max_body_bytes_, " bytes"));
    return HPE_USER;
  }
  self.request_.body.append(at, length);
  return 0;
}

int HttpRequestParser::OnMessageComplete(llhttp_t* parser) {
  HttpRequestParser& self = Self(parser);
  self.in_body_ = false;
  HttpRequest& request = self.request_;
  // After an Upgrade or CONNECT the bytes that follow belong to another
  // protocol, which we don't speak: answer this request, then close.
  request.keep_alive = request.keep_alive && llhttp_should_keep_alive(parser) != 0 &&
                       llhttp_get_upgrade(parser) == 0;
  bool keep_alive = request.keep_alive;
  bool more = self.listener_->OnRequest(request);
  if (!keep_alive) {
    self.stop_after_message_ = true;
    return HPE_PAUSED;
  }
  return more ? 0 : HPE_PAUSED;
}

}  // namespace logbook::net
