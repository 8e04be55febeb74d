#pragma once
// A Logbook node without sockets or disk, for micro-benchmarks: request
// bytes -> HttpRequestParser -> the node's handler (router, Eureka and
// Logbook endpoints) -> WritePipeline -> an in-memory journal that encodes
// every event with the log's codec -> registry; each event is durable as soon
// as the request returns. What the benchmarks time is the server's own path,
// through the interfaces app/serve.cc wires, so they keep measuring the real
// thing when the internals behind those interfaces change.
//
// Thread: one thread, like the node's loop.
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/event.h"
#include "core/registry.h"
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_message.h"
#include "net/http_request_parser.h"
#include "net/http_response_writer.h"
#include "net/http_server.h"
#include "net/write_pipeline.h"

namespace logbook::bench {

// 2024-06-10: any fixed instant; benchmarks move the clock themselves.
inline constexpr core::TimestampMs kBenchStartMs = 1718000000000;

class MemoryJournal;

class InProcessNode : private net::HttpRequestParser::Listener {
 public:
  InProcessNode();
  ~InProcessNode() override;
  InProcessNode(const InProcessNode&) = delete;
  InProcessNode& operator=(const InProcessNode&) = delete;

  // Feeds one request (or several pipelined) as a connection would, makes
  // everything appended durable, and returns the bytes the connection would
  // write for the last response: status line and headers, then the body.
  // The head and body stay valid until the next call.
  void Exchange(std::string_view request_bytes);
  int last_status() const { return last_status_; }
  const std::string& last_head() const { return last_head_; }
  const std::string& last_body() const { return last_body_; }
  std::size_t last_response_bytes() const { return last_head_.size() + last_body_.size(); }

  // Registers bench_instances.h's instances [first, first + count) spread
  // over `apps` apps, one request at a time, the clock moving at about
  // seed_instances' pace; aborts on any non-204.
  void RegisterBenchInstances(long first, long count, long apps);
  // Renews the same instances once, at the same pace; aborts on any non-200.
  void RenewBenchInstances(long first, long count, long apps);

  // While set, every appended event is also copied into *sink (null: off).
  void CaptureEvents(std::vector<core::Event>* sink);
  // Bytes the journal encoded so far (what the writer would put in RocksDB).
  std::uint64_t journal_bytes() const;

  core::Registry& registry() { return registry_; }
  core::ManualClock& clock() { return clock_; }

 private:
  std::unique_ptr<net::HttpRequestParser> NewParser();
  void AdvanceAtSeedPace(long request_index);
  void OnRequestBegin() override {}
  void OnRequestHead(const net::HttpRequest&) override {}
  bool OnRequest(net::HttpRequest& request) override;
  void OnParseError(int status, std::string detail) override;

  uv_loop_t loop_;
  core::ManualClock clock_;
  core::Registry registry_;
  std::unique_ptr<MemoryJournal> journal_;
  net::WritePipeline pipeline_;
  net::EurekaApi eureka_;
  net::LogbookApi logbook_;
  net::HttpHandler handler_;
  std::unique_ptr<net::HttpRequestParser> parser_;
  net::HttpDate date_;
  int last_status_ = 0;
  std::string last_head_;
  std::string last_body_;
};

}  // namespace logbook::bench
