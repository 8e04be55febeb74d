// The llhttp wrapper on its own: byte splits, limits, pausing, stopping, and
// seeded random input.
#include "net/http_request_parser.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace logbook::net {
namespace {

class Recorder : public HttpRequestParser::Listener {
 public:
  void OnRequestBegin() override { ++begins; }
  void OnRequestHead(const HttpRequest& request) override { heads.push_back(request.target); }
  bool OnRequest(HttpRequest& request) override {
    // Copying leaves the parser's request intact, so the next one reuses it.
    requests.push_back(copy_requests ? HttpRequest(request) : std::move(request));
    return !pause_each;
  }
  void OnParseError(int status, std::string detail) override {
    ++errors;
    error_status = status;
    error_detail = std::move(detail);
  }

  bool pause_each = false;
  bool copy_requests = false;
  int begins = 0;
  std::vector<std::string> heads;
  std::vector<HttpRequest> requests;
  int errors = 0;
  int error_status = 0;
  std::string error_detail;
};

// Feeds `input` in pieces of `piece` bytes, resuming after pauses.
void FeedInPieces(HttpRequestParser& parser, std::string_view input, std::size_t piece) {
  while (!input.empty()) {
    std::string_view chunk = input.substr(0, piece);
    std::size_t used = parser.Feed(chunk);
    if (parser.state() != HttpRequestParser::State::kReady &&
        parser.state() != HttpRequestParser::State::kPaused) {
      return;
    }
    input.remove_prefix(used);
  }
}

constexpr std::string_view kTwoRequests =
    "POST /eureka/apps/A%20B?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
    "X-Multi: a\r\nX-Multi: b\r\n\r\nhello"
    "GET /two HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n2;ext=v\r\nde\r\n0\r\nTrailer: t\r\n\r\n";

TEST(HttpRequestParser, EachRequestStartsEmptyWhenTheParserReusesItsBuffers) {
  Recorder recorder;
  recorder.copy_requests = true;
  HttpRequestParser parser(65536, 1 << 20, &recorder);
  parser.Feed(kTwoRequests);
  parser.Feed(
      "PUT /three HTTP/1.1\r\nAccept: application/json\r\n\r\n"
      "GET /four?q=1 HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n");
  ASSERT_EQ(recorder.errors, 0) << recorder.error_detail;
  ASSERT_EQ(recorder.requests.size(), 4u);
  EXPECT_EQ(recorder.requests[0].headers.size(), 4u);
  EXPECT_EQ(recorder.requests[0].body, "hello");
  EXPECT_EQ(recorder.requests[1].body, "abcde");
  EXPECT_EQ(recorder.requests[1].query, "");
  const HttpRequest& third = recorder.requests[2];
  EXPECT_EQ(third.method, "PUT");
  EXPECT_EQ(third.target, "/three");
  EXPECT_EQ(third.path, "/three");
  EXPECT_EQ(third.query, "");
  EXPECT_EQ(third.body, "");
  ASSERT_EQ(third.headers.size(), 1u);
  EXPECT_EQ(third.headers[0].first, "Accept");
  EXPECT_EQ(third.headers[0].second, "application/json");
  const HttpRequest& fourth = recorder.requests[3];
  EXPECT_EQ(fourth.query, "q=1");
  ASSERT_EQ(fourth.headers.size(), 5u);
  EXPECT_EQ(fourth.headers[0].first, "A");
  EXPECT_EQ(fourth.headers[4].first, "E");
  EXPECT_EQ(fourth.headers[4].second, "5");
  EXPECT_EQ(fourth.Header("Accept"), "");
}

TEST(HttpRequestParser, SameRequestsWhateverTheSplit) {
  for (std::size_t piece = 1; piece <= kTwoRequests.size(); ++piece) {
    Recorder recorder;
    HttpRequestParser parser(65536, 1 << 20, &recorder);
    FeedInPieces(parser, kTwoRequests, piece);
    ASSERT_EQ(recorder.errors, 0) << piece << ": " << recorder.error_detail;
    ASSERT_EQ(recorder.requests.size(), 2u) << piece;
    const HttpRequest& first = recorder.requests[0];
    EXPECT_EQ(first.method, "POST");
    EXPECT_EQ(first.target, "/eureka/apps/A%20B?x=1");
    EXPECT_EQ(first.path, "/eureka/apps/A B");
    EXPECT_EQ(first.query, "x=1");
    EXPECT_EQ(first.body, "hello");
    EXPECT_TRUE(first.keep_alive);
    ASSERT_EQ(first.headers.size(), 4u);
    EXPECT_EQ(first.headers[2].first, "X-Multi");
    EXPECT_EQ(first.headers[3].second, "b");
    const HttpRequest& second = recorder.requests[1];
    EXPECT_EQ(second.method, "GET");
    EXPECT_EQ(second.body, "abcde");
    // Trailers are not kept as headers.
    ASSERT_EQ(second.headers.size(), 1u);
    EXPECT_EQ(second.headers[0].first, "Transfer-Encoding");
    EXPECT_EQ(recorder.begins, 2);
    EXPECT_FALSE(parser.in_head());
    EXPECT_FALSE(parser.in_body());
  }
}

TEST(HttpRequestParser, PausesAfterARequestAndResumesWhereItStopped) {
  Recorder recorder;
  recorder.pause_each = true;
  HttpRequestParser parser(65536, 1 << 20, &recorder);
  std::string_view input = kTwoRequests;
  std::size_t used = parser.Feed(input);
  EXPECT_EQ(parser.state(), HttpRequestParser::State::kPaused);
  ASSERT_EQ(recorder.requests.size(), 1u);
  input.remove_prefix(used);
  EXPECT_EQ(input.substr(0, 8), "GET /two");
  used = parser.Feed(input);
  EXPECT_EQ(used, input.size());
  ASSERT_EQ(recorder.requests.size(), 2u);
  EXPECT_EQ(recorder.requests[1].body, "abcde");
}

TEST(HttpRequestParser, StopsAfterConnectionClose) {
  Recorder recorder;
  HttpRequestParser parser(65536, 1 << 20, &recorder);
  std::string input = "GET /a HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  std::size_t used = parser.Feed(input);
  EXPECT_EQ(parser.state(), HttpRequestParser::State::kStopped);
  EXPECT_EQ(input.substr(used), "GET /b HTTP/1.1\r\n\r\n");
  ASSERT_EQ(recorder.requests.size(), 1u);
  EXPECT_FALSE(recorder.requests[0].keep_alive);
  EXPECT_EQ(parser.Feed("GET /c HTTP/1.1\r\n\r\n"), 0u);
  EXPECT_EQ(recorder.requests.size(), 1u);
}

TEST(HttpRequestParser, KeepAliveFollowsTheHttpVersion) {
  struct Case {
    const char* input;
    bool keep_alive;
    bool http_1_0;
  };
  for (Case c :
       {Case{"GET / HTTP/1.1\r\n\r\n", true, false}, Case{"GET / HTTP/1.0\r\n\r\n", false, true},
        Case{"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true, true},
        Case{"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false, false}}) {
    Recorder recorder;
    HttpRequestParser parser(65536, 1 << 20, &recorder);
    parser.Feed(c.input);
    ASSERT_EQ(recorder.requests.size(), 1u) << c.input;
    EXPECT_EQ(recorder.requests[0].keep_alive, c.keep_alive) << c.input;
  }
}

TEST(HttpRequestParser, UpgradeEndsTheHttpConversation) {
  Recorder recorder;
  HttpRequestParser parser(65536, 1 << 20, &recorder);
  parser.Feed("GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05");
  ASSERT_EQ(recorder.requests.size(), 1u);
  EXPECT_FALSE(recorder.requests[0].keep_alive);
  EXPECT_EQ(parser.state(), HttpRequestParser::State::kStopped);
}

TEST(HttpRequestParser, HeaderBlockOverTheLimitIs431) {
  Recorder recorder;
  HttpRequestParser parser(100, 1 << 20, &recorder);
  parser.Feed("GET / HTTP/1.1\r\nX: " + std::string(200, 'v'));
  EXPECT_EQ(parser.state(), HttpRequestParser::State::kFailed);
  EXPECT_EQ(recorder.error_status, 431);
  EXPECT_EQ(recorder.errors, 1);
}

TEST(HttpRequestParser, LongUrlCountsTowardTheHeaderLimit) {
  Recorder recorder;
  HttpRequestParser parser(100, 1 << 20, &recorder);
  parser.Feed("GET /" + std::string(200, 'u'));
  EXPECT_EQ(recorder.error_status, 431);
}

TEST(HttpRequestParser, AnnouncedBodyOverTheLimitIs413AtTheHead) {
  Recorder recorder;
  HttpRequestParser parser(65536, 10, &recorder);
  parser.Feed("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  EXPECT_EQ(recorder.error_status, 413);
  EXPECT_TRUE(recorder.heads.empty());
}

TEST(HttpRequestParser, ChunkOverTheLimitIs413BeforeItsData) {
  Recorder recorder;
  HttpRequestParser parser(65536, 10, &recorder);
  parser.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n");
  EXPECT_EQ(recorder.errors, 0);
  parser.Feed("5\r\n");
  EXPECT_EQ(recorder.error_status, 413);
}

TEST(HttpRequestParser, HugeChunkSizeIs413) {
  Recorder recorder;
  HttpRequestParser parser(65536, 10, &recorder);
  parser.Feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffff\r\n");
  EXPECT_EQ(recorder.error_status, 413);
}

TEST(HttpRequestParser, MalformedInputIs400WithLlhttpsReason) {
  for (const char* input : {
           "BREW / HTTP/1.1\r\n\r\n",                  // method
           "GET / HTTP/1.1 junk\r\n\r\n",              // version
           "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",  // token
           "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
           "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "GET / HTTP/1.1\nHost: x\n\n",  // bare LF
           "GET /a%zz HTTP/1.1\r\n\r\n",   // escape
       }) {
    Recorder recorder;
    HttpRequestParser parser(65536, 1 << 20, &recorder);
    parser.Feed(input);
    EXPECT_EQ(parser.state(), HttpRequestParser::State::kFailed) << input;
    EXPECT_EQ(recorder.error_status, 400) << input;
    EXPECT_FALSE(recorder.error_detail.empty()) << input;
    EXPECT_TRUE(recorder.requests.empty()) << input;
  }
}

TEST(HttpRequestParser, SeededRandomInputNeverCrashes) {
  std::mt19937 rng(20240611);
  const std::string alphabet = "GETPOST /HTP1.0\r\n:;-ContentLgh0123456789chunkedabc%?\x00\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    std::size_t length = rng() % 300;
    bool from_alphabet = round % 2 == 0;
    for (std::size_t i = 0; i < length; ++i) {
      input.push_back(from_alphabet ? alphabet[rng() % alphabet.size()]
                                    : static_cast<char>(rng() & 0xff));
    }
    if (round % 3 == 0) input = "POST / HTTP/1.1\r\n" + input;
    Recorder recorder;
    HttpRequestParser parser(256, 256, &recorder);
    FeedInPieces(parser, input, 1 + rng() % 17);
    EXPECT_LE(recorder.errors, 1);
    if (recorder.errors == 1) {
      EXPECT_TRUE(recorder.error_status == 400 || recorder.error_status == 413 ||
                  recorder.error_status == 431)
          << recorder.error_status;
    }
    for (const HttpRequest& request : recorder.requests) {
      EXPECT_LE(request.body.size(), 256u);
    }
  }
}

}  // namespace
}  // namespace logbook::net
