#include "bench/micro/in_process_node.h"

#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/micro/http_requests.h"
#include "core/event_journal.h"
#include "net/node_routes.h"
#include "storage/event_codec.h"

namespace logbook::bench {

namespace {

constexpr std::size_t kMaxHeaderBytes = 65536;
constexpr std::size_t kMaxBodyBytes = 1048576;

[[noreturn]] void Die(const char* what, int status, const std::string& body) {
  std::fprintf(stderr, "in_process_node: %s answered %d: %s\n", what, status, body.c_str());
  std::abort();
}

}  // namespace

// The log without RocksDB: offsets assigned as EventLog does, each event
// encoded with the log's codec into a reused buffer (the writer thread's
// share of the work, minus the WriteBatch and the sync), nothing kept.
class MemoryJournal final : public core::EventJournal {
 public:
  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override {
    for (core::Event& event : events) {
      event.offset = ++last_;
      if (event.origin_node.empty()) {
        event.origin_node = "bench-node";
        event.origin_offset = event.offset;
      }
      encoded_.clear();
      storage::EncodeEvent(event, &encoded_);
      bytes_ += encoded_.size();
      if (capture_ != nullptr) capture_->push_back(event);
    }
    return last_;
  }
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor&) override {
    return Append(events);
  }
  core::Offset last_offset() const override { return last_; }
  // Nothing is kept: /logbook/v1/events is not what these benchmarks time.
  absl::Status Read(core::Offset, std::size_t, std::vector<core::Event>*) const override {
    return absl::OkStatus();
  }
  core::Offset first_offset() const override { return last_ + 1; }

  void set_capture(std::vector<core::Event>* sink) { capture_ = sink; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  core::Offset last_ = 0;
  std::string encoded_;
  std::uint64_t bytes_ = 0;
  std::vector<core::Event>* capture_ = nullptr;
};

namespace {

net::EurekaApiOptions EurekaOptions() {
  net::EurekaApiOptions options;
  options.node_id = "bench-node";
  options.max_body_bytes = kMaxBodyBytes;
  return options;
}

net::LogbookApiOptions LogbookOptions() {
  net::LogbookApiOptions options;
  options.node_id = "bench-node";
  options.log_identity = "bench-log";
  options.max_wait_ms = 0;  // a long poll would answer at once: no timers
  return options;
}

uv_loop_t* InitLoop(uv_loop_t* loop) {
  if (uv_loop_init(loop) != 0) std::abort();
  return loop;
}

}  // namespace

InProcessNode::InProcessNode()
    : clock_(kBenchStartMs),
      registry_(core::RegistryOptions{}),
      journal_(std::make_unique<MemoryJournal>()),
      pipeline_(registry_, *journal_, 0),
      eureka_(registry_, pipeline_, clock_, EurekaOptions()),
      logbook_(InitLoop(&loop_), registry_, pipeline_, *journal_, clock_, LogbookOptions()),
      handler_(net::MakeNodeHandler(eureka_, logbook_)),
      parser_(NewParser()) {
  logbook_.set_ready(true);
}

std::unique_ptr<net::HttpRequestParser> InProcessNode::NewParser() {
  net::HttpRequestParser::Listener* listener = this;
  return std::make_unique<net::HttpRequestParser>(kMaxHeaderBytes, kMaxBodyBytes, listener);
}

InProcessNode::~InProcessNode() {
  logbook_.ReleaseWaiters();
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Whatever handle is still open is closed, so the loop's own memory is
  // freed (the smoke test runs under LeakSanitizer too).
  uv_walk(
      &loop_,
      [](uv_handle_t* handle, void*) {
        if (!uv_is_closing(handle)) uv_close(handle, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

bool InProcessNode::OnRequest(net::HttpRequest& request) {
  handler_(std::move(request), [this](net::HttpResponse response) {
    last_status_ = response.status;
    net::ResponseFraming framing;
    framing.date = date_.Now();
    last_head_ = net::SerializeResponseHead(response, framing);
    last_body_ = std::move(response.body);
  });
  // The writer would report this from its thread once the sync is done.
  pipeline_.OnDurable(journal_->last_offset(), absl::OkStatus());
  logbook_.OnDurableAdvanced();
  return true;
}

void InProcessNode::OnParseError(int status, std::string detail) {
  last_status_ = status;
  last_head_.clear();
  last_body_ = std::move(detail);
}

void InProcessNode::Exchange(std::string_view request_bytes) {
  last_status_ = 0;
  parser_->Feed(request_bytes);
  if (parser_->state() != net::HttpRequestParser::State::kReady) {
    // A real connection would close here; the next exchange gets a new one.
    parser_ = NewParser();
  }
}

void InProcessNode::RegisterBenchInstances(long first, long count, long apps) {
  for (long k = first; k < first + count; ++k) {
    AdvanceAtSeedPace(k - first);
    Exchange(RegisterRequestBytes(k, apps));
    if (last_status_ != 204) Die("a registration", last_status_, last_body_);
  }
}

void InProcessNode::RenewBenchInstances(long first, long count, long apps) {
  for (long k = first; k < first + count; ++k) {
    AdvanceAtSeedPace(k - first);
    Exchange(RenewRequestBytes(k, apps));
    if (last_status_ != 200) Die("a renewal", last_status_, last_body_);
  }
}

void InProcessNode::AdvanceAtSeedPace(long request_index) {
  // ~16,000 requests/s, seed_instances' pace on this machine: instances get
  // distinct timestamps as on a real node, which matters for gzip's ratio.
  if (request_index % 16 == 15) clock_.Advance(1);
}

void InProcessNode::CaptureEvents(std::vector<core::Event>* sink) { journal_->set_capture(sink); }

std::uint64_t InProcessNode::journal_bytes() const { return journal_->bytes(); }

}  // namespace logbook::bench
