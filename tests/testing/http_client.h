#pragma once
// A small blocking HTTP/1.1 client for end-to-end tests against the real
// binary on 127.0.0.1. One keep-alive connection per client object.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace logbook::testing {

struct HttpResult {
  int status = 0;  // 0 when the connection failed or closed without answer
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive, "" if absent
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  explicit HttpClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResult Request(const std::string& method, const std::string& target,
                     const Headers& headers = {}, const std::string& body = "");
  HttpResult Get(const std::string& target, const Headers& headers = {}) {
    return Request("GET", target, headers);
  }

  // Sends raw bytes on the connection (opening it if needed).
  bool SendRaw(const std::string& bytes);
  // Reads one response; status 0 on EOF or timeout.
  HttpResult ReadResponse();
  // True once the server closed the connection (EOF within `wait`).
  bool WaitForClose(std::chrono::milliseconds wait);
  void Close();

 private:
  bool Connect();
  bool Fill();  // reads more bytes into buffer_; false on EOF/error/timeout

  int port_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
  std::string buffer_;
};

// gunzip for checking gzip bodies (zlib).
std::string Gunzip(const std::string& data);

}  // namespace logbook::testing
