// HttpRequest/HttpResponse helpers, request-target parsing, error bodies and
// response serialization.
#include "net/http_message.h"

#include <string>

#include "gtest/gtest.h"
#include "net/http_error_response.h"
#include "net/http_response_writer.h"
#include "net/http_target.h"

namespace logbook::net {
namespace {

TEST(HttpRequest, HeaderLookupIgnoresCaseAndFirstWins) {
  HttpRequest request;
  request.headers = {
      {"Content-Type", "application/json"}, {"X-Twice", "first"}, {"x-twice", "second"}};
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(request.Header("X-TWICE"), "first");
  EXPECT_EQ(request.Header("Accept"), "");
  EXPECT_TRUE(request.HasHeader("x-TWICE"));
  EXPECT_FALSE(request.HasHeader("Accept"));
}

TEST(HttpRequest, EmptyHeaderValueIsPresent) {
  HttpRequest request;
  request.headers = {{"X-Empty", ""}};
  EXPECT_TRUE(request.HasHeader("x-empty"));
  EXPECT_EQ(request.Header("x-empty"), "");
}

TEST(HttpResponse, SetHeaderAddsThenReplaces) {
  HttpResponse response;
  response.SetHeader("Content-Type", "text/plain");
  response.SetHeader("ETag", "1");
  response.SetHeader("content-type", "application/json");
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers[0].first, "content-type");
  EXPECT_EQ(response.headers[0].second, "application/json");
  EXPECT_EQ(response.headers[1].second, "1");
}

TEST(HttpResponse, SetHeaderRemovesDuplicates) {
  HttpResponse response;
  response.headers = {{"Vary", "a"}, {"X", "1"}, {"vary", "b"}};
  response.SetHeader("Vary", "c");
  ASSERT_EQ(response.headers.size(), 2u);
  EXPECT_EQ(response.headers[0].second, "c");
  EXPECT_EQ(response.headers[1].first, "X");
}

TEST(ReasonPhrase, CoversEveryStatusTheServerUses) {
  struct Case {
    int status;
    const char* reason;
  };
  for (Case c :
       {Case{200, "OK"}, Case{201, "Created"}, Case{204, "No Content"},
        Case{307, "Temporary Redirect"}, Case{400, "Bad Request"}, Case{401, "Unauthorized"},
        Case{403, "Forbidden"}, Case{404, "Not Found"}, Case{405, "Method Not Allowed"},
        Case{406, "Not Acceptable"}, Case{408, "Request Timeout"}, Case{409, "Conflict"},
        Case{410, "Gone"}, Case{413, "Payload Too Large"}, Case{415, "Unsupported Media Type"},
        Case{431, "Request Header Fields Too Large"}, Case{500, "Internal Server Error"},
        Case{503, "Service Unavailable"}}) {
    EXPECT_EQ(ReasonPhrase(c.status), c.reason) << c.status;
  }
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
}

struct TargetCase {
  const char* target;
  const char* path;
  const char* query;
};

TEST(ParseRequestTarget, SplitsAndDecodes) {
  for (TargetCase c : {
           TargetCase{"/", "/", ""},
           TargetCase{"/eureka/apps", "/eureka/apps", ""},
           TargetCase{"/eureka/apps/?", "/eureka/apps/", ""},
           TargetCase{"/a?b=1&c=%20", "/a", "b=1&c=%20"},
           TargetCase{"/a%20b/%41%2f", "/a b/A/", ""},
           TargetCase{"/a+b", "/a+b", ""},  // '+' means space only in forms
           TargetCase{"/x?q=1#frag", "/x", "q=1"},
           TargetCase{"/x#frag?not=query", "/x", ""},
           TargetCase{"http://host:8761/eureka/apps?x", "/eureka/apps", "x"},
           TargetCase{"HTTP://host", "/", ""},
           TargetCase{"*", "*", ""},
       }) {
    std::string path;
    std::string query;
    ASSERT_TRUE(ParseRequestTarget(c.target, &path, &query).ok()) << c.target;
    EXPECT_EQ(path, c.path) << c.target;
    EXPECT_EQ(query, c.query) << c.target;
  }
}

TEST(ParseRequestTarget, RejectsBadEscapesAndEncodedNul) {
  for (const char* target : {"/a%", "/a%2", "/a%zz", "/a%0g", "/a%00b", "?x"}) {
    std::string path;
    std::string query;
    EXPECT_EQ(ParseRequestTarget(target, &path, &query).code(), absl::StatusCode::kInvalidArgument)
        << target;
  }
}

TEST(MakeErrorResponse, IsJsonWithErrorAndDetail) {
  HttpResponse response = MakeErrorResponse(400, "Invalid method encountered");
  EXPECT_EQ(response.status, 400);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "application/json");
  EXPECT_EQ(response.body, R"({"error":"bad request","detail":"Invalid method encountered"})");
}

TEST(MakeErrorResponse, EscapesTheDetail) {
  HttpResponse response = MakeErrorResponse(404, std::string("a\"b\\c\n\x01\xff", 8));
  // Invalid UTF-8 from the client becomes U+FFFD, so the body stays valid JSON.
  EXPECT_EQ(response.body, "{\"error\":\"not found\",\"detail\":\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\"}");
}

TEST(SerializeResponseHead, AddsFramingHeaders) {
  HttpResponse response;
  response.status = 201;
  response.SetHeader("Content-Type", "application/json");
  response.body = "{}";
  ResponseFraming framing;
  framing.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(SerializeResponseHead(response, framing),
            "HTTP/1.1 201 Created\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n");
  framing.close = true;
  EXPECT_NE(SerializeResponseHead(response, framing).find("Connection: close\r\n"),
            std::string::npos);
  framing.close = false;
  framing.keep_alive_header = true;
  EXPECT_NE(SerializeResponseHead(response, framing).find("Connection: keep-alive\r\n"),
            std::string::npos);
}

TEST(SerializeResponseHead, ReplacesHandlerFramingAndDropsUnsafeHeaders) {
  HttpResponse response;
  response.headers = {{"Content-Length", "999"},
                      {"Connection", "upgrade"},
                      {"Transfer-Encoding", "chunked"},
                      {"X-Split", "a\r\nSet-Cookie: evil"},
                      {"Bad Name", "x"},
                      {"X-Ok", "fine"}};
  response.body = "abc";
  ResponseFraming framing;
  framing.date = "D";
  EXPECT_EQ(SerializeResponseHead(response, framing),
            "HTTP/1.1 200 OK\r\nDate: D\r\nX-Ok: fine\r\nContent-Length: 3\r\n\r\n");
}

TEST(SerializeResponseHead, NoContentLengthFor204And304) {
  for (int status : {204, 304}) {
    HttpResponse response;
    response.status = status;
    ResponseFraming framing;
    EXPECT_EQ(SerializeResponseHead(response, framing).find("Content-Length"), std::string::npos);
    EXPECT_FALSE(ResponseHasBody(status, false));
  }
  EXPECT_TRUE(ResponseHasBody(200, false));
  EXPECT_FALSE(ResponseHasBody(200, true));
}

TEST(HttpDate, IsAnImfFixdate) {
  HttpDate date;
  std::string now(date.Now());
  ASSERT_EQ(now.size(), 29u) << now;
  EXPECT_EQ(now.substr(25), " GMT");
  EXPECT_EQ(now[3], ',');
}

}  // namespace
}  // namespace logbook::net
