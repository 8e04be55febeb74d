#pragma once
// Turns the bytes of one connection into HttpRequests with llhttp (strict
// mode), enforcing the header and body size limits. No sockets, no timers:
// the connection feeds bytes and reacts to the listener calls, which keeps
// this part testable and fuzzable on its own.
#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "net/http_message.h"

namespace logbook::net {

class HttpRequestParser {
 public:
  // Called synchronously from Feed().
  class Listener {
   public:
    virtual ~Listener() = default;
    // The first byte of a request arrived (starts its header deadline).
    virtual void OnRequestBegin() = 0;
    // The head is complete and within limits; `request` has no body yet.
    virtual void OnRequestHead(const HttpRequest& request) = 0;
    // A complete request. Return false to pause: Feed() returns at once with
    // the bytes after this request unconsumed, and the next Feed() resumes.
    // `request` is the parser's own: it may be moved from, and is reset (its
    // buffers kept, so steady keep-alive traffic does not allocate) when the
    // next request begins.
    virtual bool OnRequest(HttpRequest& request) = 0;
    // Bad input: 400 (llhttp's reason or a bad target), 413 or 431. No
    // further requests come from this parser.
    virtual void OnParseError(int status, std::string detail) = 0;
  };

  enum class State {
    kReady,    // consumed everything it was fed; wants more
    kPaused,   // OnRequest returned false; feed the rest again later
    kStopped,  // after a request that ends the connection (Connection:
               // close, HTTP/1.0 without keep-alive, Upgrade): bytes after
               // it are not HTTP/1.1 requests
    kFailed,   // OnParseError was called
  };

  // REQUIRES: `listener` outlives the parser.
  HttpRequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes, Listener* listener);
  HttpRequestParser(const HttpRequestParser&) = delete;
  HttpRequestParser& operator=(const HttpRequestParser&) = delete;

  // Parses `bytes`, copying every fragment it keeps, so the caller may reuse
  // the buffer as soon as this returns. Returns how many bytes were consumed
  // (all of them unless the state is no longer kReady). Does nothing once
  // stopped or failed.
  std::size_t Feed(std::string_view bytes);

  State state() const { return state_; }
  // Between the first byte of a request and the end of its head.
  bool in_head() const { return in_head_; }
  // Between the end of a head and the end of its body.
  bool in_body() const { return in_body_; }
  // The version of the request being parsed; valid from OnRequestHead to
  // the end of OnRequest.
  bool http_1_0() const { return parser_.http_major == 1 && parser_.http_minor == 0; }

 private:
  static const llhttp_settings_t& Settings();
  static HttpRequestParser& Self(llhttp_t* parser);

  static int OnMessageBegin(llhttp_t* parser);
  static int OnUrl(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderField(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderValue(llhttp_t* parser, const char* at, std::size_t length);
  static int OnHeaderValueComplete(llhttp_t* parser);
  static int OnHeadersComplete(llhttp_t* parser);
  static int OnChunkHeader(llhttp_t* parser);
  static int OnBody(llhttp_t* parser, const char* at, std::size_t length);
  static int OnMessageComplete(llhttp_t* parser);

  // Counts `length` head bytes; false (and a 431 recorded) past the limit.
  bool CountHeadBytes(std::size_t length);
  // Records the error that Feed() reports once llhttp has returned.
  void Reject(int status, std::string detail);

  const std::size_t max_header_bytes_;
  const std::size_t max_body_bytes_;
  Listener* const listener_;
  llhttp_t parser_;
  State state_ = State::kReady;

  // The request being parsed; every fragment is copied in here.
  HttpRequest request_;
  std::string field_;
  std::string value_;
  // Bytes of the head (or trailers) so far, measured as the bytes we keep
  // plus line framing; whitespace llhttp skips is bounded by the header
  // deadline instead, and costs no memory.
  std::size_t head_bytes_ = 0;
  bool in_head_ = false;
  bool in_body_ = false;
  bool stop_after_message_ = false;
  int reject_status_ = 0;
  std::string reject_detail_;
};

}  // namespace logbook::net
