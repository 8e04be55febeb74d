// The node's request handling without sockets: bytes -> HttpRequestParser ->
// MakeNodeHandler (router, Eureka and Logbook endpoints) -> WritePipeline ->
// an in-memory journal, against a fresh registry per input.
//
// Input: what a client sent on one connection (any number of pipelined
// requests). Invariants:
// - every request is answered exactly once, with a status in 100..599 that
//   is not 500 unless Eureka documents that 500 (a bad status value or
//   lastDirtyTimestamp); any other 500 means a handler met something it did
//   not expect;
// - every event the handlers log survives the log format: DecodeEvent of
//   EncodeEvent gives the same event back;
// - the registry the requests built survives the snapshot format: decoding
//   its snapshot gives a registry that serializes to the same bytes;
// Access control is on for inputs that carry an Authorization header (so
// that the rest of the corpus keeps reaching the handlers unauthenticated):
// the same invariants then hold whatever bytes the header holds.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/clock.h"
#include "core/event.h"
#include "core/event_journal.h"
#include "core/registry.h"
#include "net/access_control.h"
#include "net/handlers/eureka_api.h"
#include "net/handlers/logbook_api.h"
#include "net/http_request_parser.h"
#include "net/node_routes.h"
#include "net/write_pipeline.h"
#include "storage/event_codec.h"
#include "storage/snapshot_codec.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace logbook;  // NOLINT: a fuzz driver touches every module

constexpr core::TimestampMs kStartMs = 1718000000000;
// Each request arrives this much later than the previous one, so leases,
// the delta window and the renew meter all move during an input.
constexpr core::TimestampMs kStepMs = 7000;

// The log as a vector; every append goes through the event codec.
class MemoryJournal final : public core::EventJournal {
 public:
  absl::StatusOr<core::Offset> Append(std::span<core::Event> events) override {
    for (core::Event& event : events) {
      event.offset = ++last_;
      if (event.origin_node.empty()) {
        event.origin_node = "fuzz-node";
        event.origin_offset = event.offset;
      }
      std::string bytes;
      storage::EncodeEvent(event, &bytes);
      absl::StatusOr<core::Event> decoded = storage::DecodeEvent(bytes, event.offset);
      FUZZ_CHECK(decoded.ok());
      FUZZ_CHECK(*decoded == event);
      events_.push_back(event);
    }
    return last_;
  }
  // The node handler never replicates; pulled batches are not fuzzed here.
  absl::StatusOr<core::Offset> AppendWithCursor(std::span<core::Event> events,
                                                const core::PeerCursor&) override {
    return Append(events);
  }
  core::Offset last_offset() const override { return last_; }
  absl::Status Read(core::Offset from, std::size_t max_events,
                    std::vector<core::Event>* out) const override {
    for (const core::Event& event : events_) {
      if (out->size() >= max_events) break;
      if (event.offset >= from) out->push_back(event);
    }
    return absl::OkStatus();
  }
  core::Offset first_offset() const override { return 1; }

 private:
  core::Offset last_ = 0;
  std::vector<core::Event> events_;
};

// Counts the answers of one request; checks at destruction that there was
// exactly one.
struct Answer {
  std::string request;  // method and target, for the failure message
  int responses = 0;
  int status = 0;
  std::string body;
};

class Connection : public net::HttpRequestParser::Listener {
 public:
  Connection(uv_loop_t* loop, core::ManualClock& clock, net::HttpHandler handler,
             std::vector<std::shared_ptr<Answer>>* answers)
      : loop_(loop), clock_(clock), handler_(std::move(handler)), answers_(answers) {}

  void OnRequestBegin() override {}
  void OnRequestHead(const net::HttpRequest&) override {}
  bool OnRequest(net::HttpRequest& request) override {
    clock_.Advance(kStepMs);
    auto answer = std::make_shared<Answer>();
    answer->request = request.method + " " + request.target;
    answers_->push_back(answer);
    handler_(std::move(request), [answer](net::HttpResponse response) {
      ++answer->responses;
      answer->status = response.status;
      answer->body = response.shared_body ? response.shared_body.Flatten() : response.body;
    });
    // Everything is durable at once; the Logbook reads finish on the loop.
    if (after_request) after_request();
    uv_run(loop_, UV_RUN_DEFAULT);
    return true;
  }
  void OnParseError(int, std::string) override {}

  std::function<void()> after_request;

 private:
  uv_loop_t* loop_;
  core::ManualClock& clock_;
  net::HttpHandler handler_;
  std::vector<std::shared_ptr<Answer>>* answers_;
};

// Eureka answers these client mistakes with 500 and Logbook keeps its
// behaviour (eureka-protocol.md E2, E4, E5); any other 500 is a finding.
bool DocumentedServerError(std::string_view body) {
  return body.find("\"error\":\"invalid status value\"") != std::string_view::npos ||
         body.find("\"error\":\"lastDirtyTimestamp is not a number\"") != std::string_view::npos;
}

uv_loop_t* Loop() {
  static uv_loop_t* loop = [] {
    auto* created = new uv_loop_t;
    FUZZ_CHECK(uv_loop_init(created) == 0);
    return created;
  }();
  return loop;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  uv_loop_t* loop = Loop();
  core::ManualClock clock(kStartMs);
  const core::RegistryOptions registry_options;
  core::Registry registry(registry_options);
  MemoryJournal journal;
  net::WritePipeline pipeline(registry, journal, 0);

  net::EurekaApiOptions eureka_options;
  eureka_options.node_id = "fuzz-node";
  eureka_options.max_body_bytes = 4096;
  net::EurekaApi eureka(registry, pipeline, clock, eureka_options);
  net::LogbookApiOptions logbook_options;
  logbook_options.node_id = "fuzz-node";
  logbook_options.log_identity = "fuzz-log";
  logbook_options.max_wait_ms = 0;  // a long-poll answers at once: no timers
  net::LogbookApi logbook(loop, registry, pipeline, journal, clock, logbook_options);
  logbook.set_ready(true);

  // The users of make_seed_corpus.cc's auth_* seeds.
  net::AccessControlOptions access_options;
  access_options.enabled = input.find("uthorization") != std::string_view::npos;
  access_options.users = {{"app", net::Sha256("app-pw"), net::kRoleClient},
                          {"ops", net::Sha256("ops-pw"), net::kRoleAdmin},
                          {"rep", net::Sha256("rep-pw"), net::kRolePeer}};
  static net::Logger quiet(net::LogLevel::kError);
  net::AccessControl access(std::move(access_options), quiet);

  std::vector<std::shared_ptr<Answer>> answers;
  {
    Connection connection(loop, clock, net::MakeNodeHandler(eureka, logbook, {}, &access),
                          &answers);
    connection.after_request = [&] {
      pipeline.OnDurable(journal.last_offset(), absl::OkStatus());
      logbook.OnDurableAdvanced();
    };
    net::HttpRequestParser parser(8192, 4096, &connection);
    parser.Feed(input);
  }
  logbook.ReleaseWaiters();
  uv_run(loop, UV_RUN_DEFAULT);

  for (const std::shared_ptr<Answer>& answer : answers) {
    if (answer->responses != 1 || (answer->status == 500 && !DocumentedServerError(answer->body))) {
      std::fprintf(stderr, "%s: %d responses, status %d: %s\n", answer->request.c_str(),
                   answer->responses, answer->status, answer->body.c_str());
    }
    FUZZ_CHECK(answer->responses == 1);
    FUZZ_CHECK(answer->status >= 100 && answer->status <= 599);
    FUZZ_CHECK(answer->status != 500 || DocumentedServerError(answer->body));
  }

  const std::string snapshot = storage::EncodeSnapshot(registry);
  absl::StatusOr<std::unique_ptr<core::Registry>> restored =
      storage::DecodeSnapshot(snapshot, registry.last_applied_offset(), registry_options);
  FUZZ_CHECK(restored.ok());
  FUZZ_CHECK((*restored)->Serialize() == registry.Serialize());
  return 0;
}
