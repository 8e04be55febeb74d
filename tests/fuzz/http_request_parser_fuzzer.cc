// net/http_request_parser on arbitrary bytes in arbitrary splits.
//
// Input: byte 0 picks the piece size (1..64, or the whole input) and the
// pausing policy; the rest is what a client sent. Invariants:
// - Feed() never reports more bytes consumed than it was given, and consumes
//   everything while the parser stays ready;
// - at most one OnParseError, with 400, 413 or 431, and nothing after it;
// - every request had a head first, and no body exceeds the limit;
// - the split does not matter: feeding the same bytes in one piece yields
//   the same requests and the same error status (except that a head both
//   malformed and too large may get 431 in one case and 400 in the other).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_request_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using logbook::net::HttpRequest;
using logbook::net::HttpRequestParser;

// Small limits so the fuzzer reaches 413 and 431 with short inputs.
constexpr std::size_t kMaxHeaderBytes = 512;
constexpr std::size_t kMaxBodyBytes = 256;

struct Outcome {
  std::vector<HttpRequest> requests;
  int error_status = 0;
  bool stopped = false;
};

class Recorder : public HttpRequestParser::Listener {
 public:
  explicit Recorder(bool pause_each) : pause_each_(pause_each) {}

  void OnRequestBegin() override {
    FUZZ_CHECK(outcome.error_status == 0);
    in_request_ = true;
    heads_ = 0;
  }
  void OnRequestHead(const HttpRequest& request) override {
    FUZZ_CHECK(in_request_);
    FUZZ_CHECK(outcome.error_status == 0);
    FUZZ_CHECK(request.body.empty());
    ++heads_;
  }
  bool OnRequest(HttpRequest& request) override {
    FUZZ_CHECK(outcome.error_status == 0);
    FUZZ_CHECK(heads_ == 1);
    FUZZ_CHECK(request.body.size() <= kMaxBodyBytes);
    in_request_ = false;
    outcome.requests.push_back(std::move(request));
    return !pause_each_;
  }
  void OnParseError(int status, std::string detail) override {
    FUZZ_CHECK(outcome.error_status == 0);
    FUZZ_CHECK(status == 400 || status == 413 || status == 431);
    FUZZ_CHECK(!detail.empty());
    outcome.error_status = status;
  }

  Outcome outcome;

 private:
  const bool pause_each_;
  bool in_request_ = false;
  int heads_ = 0;
};

Outcome Parse(std::string_view input, std::size_t piece, bool pause_each) {
  Recorder recorder(pause_each);
  HttpRequestParser parser(kMaxHeaderBytes, kMaxBodyBytes, &recorder);
  std::string_view rest = input;
  while (!rest.empty()) {
    const std::string_view chunk = rest.substr(0, piece);
    // A fresh copy per call: the parser must not keep pointers into it.
    std::string buffer(chunk);
    const std::size_t used = parser.Feed(buffer);
    buffer.assign(buffer.size(), '\xAA');
    FUZZ_CHECK(used <= chunk.size());
    const HttpRequestParser::State state = parser.state();
    if (state == HttpRequestParser::State::kReady) FUZZ_CHECK(used == chunk.size());
    if (state == HttpRequestParser::State::kFailed) {
      FUZZ_CHECK(recorder.outcome.error_status != 0);
      // A failed parser stays failed and consumes nothing more.
      FUZZ_CHECK(parser.Feed("GET / HTTP/1.1\r\n\r\n") == 0);
      break;
    }
    if (state == HttpRequestParser::State::kStopped) {
      recorder.outcome.stopped = true;
      break;
    }
    FUZZ_CHECK(recorder.outcome.error_status == 0);
    // A pause consumes at least the paused request's last byte, so the loop
    // always progresses.
    FUZZ_CHECK(used > 0);
    rest.remove_prefix(used);
  }
  return recorder.outcome;
}

bool SameRequest(const HttpRequest& a, const HttpRequest& b) {
  return a.method == b.method && a.target == b.target && a.path == b.path &&
         a.query == b.query && a.headers == b.headers && a.body == b.body &&
         a.keep_alive == b.keep_alive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t piece = (control & 0x3F) == 0 ? input.size() + 1 : (control & 0x3F);
  const bool pause_each = (control & 0x40) != 0;

  const Outcome split = Parse(input, piece, pause_each);
  const Outcome whole = Parse(input, input.size() + 1, false);
  if (split.error_status != whole.error_status || split.requests.size() != whole.requests.size()) {
    std::fprintf(stderr, "in pieces of %zu: %zu requests, error %d; whole: %zu requests, error %d\n",
                 piece, split.requests.size(), split.error_status, whole.requests.size(),
                 whole.error_status);
  }
  // A head that is both malformed and over the limit may be refused either
  // way: the limit is enforced on fragments as they arrive (it must fire
  // before a huge head is complete), while llhttp reports a bad byte only
  // once it reaches it. Everything else must not depend on the split.
  FUZZ_CHECK((split.error_status == 0) == (whole.error_status == 0));
  FUZZ_CHECK(split.error_status == whole.error_status || split.error_status == 431 ||
             whole.error_status == 431);
  FUZZ_CHECK(split.stopped == whole.stopped);
  FUZZ_CHECK(split.requests.size() == whole.requests.size());
  for (std::size_t i = 0; i < split.requests.size(); ++i) {
    FUZZ_CHECK(SameRequest(split.requests[i], whole.requests[i]));
  }
  return 0;
}
