#include "net/handlers/logbook_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "core/apps_hashcode.h"
#include "core/self_preservation_state.h"
#include "core/status.h"
#include "net/error_response.h"
#include "net/eureka/event_json.h"
#include "net/eureka/json_writer.h"
#include "net/query_params.h"
#include "net/replication/replication_wire.h"

namespace logbook::net {
namespace {

std::optional<std::uint64_t> ParseUint(std::string_view text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "application/json");
  return response;
}

// 410 for a `from` below the oldest retained offset.
HttpResponse GoneResponse(core::Offset from, core::Offset first) {
  std::string body;
  eureka::JsonWriter w(&body);
  w.BeginObject();
  w.Key("error");
  w.String("gone");
  w.Key("detail");
  w.String("offset " + std::to_string(from) + " is older than the retained log");
  w.Key("first_offset");
  w.Uint(first);
  w.EndObject();
  return JsonResponse(410, std::move(body));
}

// Parses a comma-separated list of event type names; nullopt on an unknown one.
std::optional<std::vector<core::EventType>> ParseTypes(std::string_view rest) {
  std::vector<core::EventType> types;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::optional<core::EventType> type = core::ParseEventType(rest.substr(0, comma));
    if (!type.has_value()) return std::nullopt;
    types.push_back(*type);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return types;
}

}  // namespace

struct LogbookApi::HistoryJob {
  uv_work_t work;
  const core::AuditJournal* audit;
  core::AuditQuery query;
  Responder responder;
  absl::StatusOr<core::AuditPage> page;
};

namespace {

// `limit` and `wait_ms` of a log read, capped by the server's bounds; absent
// parameters leave the defaults. An answer when one is malformed.
std::optional<HttpResponse> ParseReadBounds(const QueryParams& params, std::size_t max_limit,
                                            std::int64_t max_wait_ms, std::size_t* limit,
                                            std::int64_t* wait_ms) {
  if (auto text = params.Get("limit")) {
    std::optional<std::uint64_t> value = ParseUint(*text);
    if (!value.has_value() || *value == 0) {
      return ErrorResponse(400, "bad parameter", "limit must be a positive integer");
    }
    *limit = static_cast<std::size_t>(std::min<std::uint64_t>(*value, max_limit));
  }
  if (auto text = params.Get("wait_ms")) {
    std::optional<std::uint64_t> value = ParseUint(*text);
    if (!value.has_value()) {
      return ErrorResponse(400, "bad parameter", "wait_ms must be a non-negative integer");
    }
    *wait_ms = static_cast<std::int64_t>(
        std::min<std::uint64_t>(*value, static_cast<std::uint64_t>(max_wait_ms)));
  }
  return std::nullopt;
}

void AnswerHistory(Responder responder, const absl::StatusOr<core::AuditPage>& page) {
  if (!page.ok()) {
    return std::move(responder)(
        ErrorResponse(500, "history read failed", core::MessageOf(page.status())));
  }
  std::string body;
  eureka::JsonWriter w(&body);
  w.BeginObject();
  w.Key("events");
  w.BeginArray();
  for (const core::AuditEntry& entry : page->entries) {
    eureka::WriteAuditEntryJson(entry, w);
  }
  w.EndArray();
  w.Key("next");
  w.Uint(page->next);
  w.Key("first_offset");
  w.Uint(page->first_offset);
  w.EndObject();
  std::move(responder)(JsonResponse(200, std::move(body)));
}

}  // namespace

void LogbookApi::GetHistory(const HttpRequest& request, Responder responder) {
  if (options_.audit == nullptr) {
    return std::move(responder)(ErrorResponse(503, "audit history unavailable"));
  }
  const QueryParams params = QueryParams::Parse(request.query);
  core::AuditQuery query;
  query.limit = std::min<std::size_t>(100, options_.max_history_per_read);
  if (auto app = params.Get("app")) {
    query.app = std::string(*app);
    // App names are upper-case in events, as in Eureka's paths.
    for (char& c : query.app) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (auto instance = params.Get("instance")) {
    if (query.app.empty()) {
      return std::move(responder)(
          ErrorResponse(400, "bad parameter", "instance needs app"));
    }
    query.instance_id = std::string(*instance);
  }
  if (auto since = params.Get("since")) {
    std::optional<std::uint64_t> value = ParseUint(*since);
    if (!value.has_value() || *value > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::move(responder)(ErrorResponse(
          400, "bad parameter", "since must be a non-negative integer (ms since the epoch)"));
    }
    query.since_ms = static_cast<core::TimestampMs>(*value);
  }
  if (auto until = params.Get("until")) {
    std::optional<std::uint64_t> value = ParseUint(*until);
    if (!value.has_value() || *value > static_cast<std::uint64_t>(INT64_MAX)) {
      return std::move(responder)(ErrorResponse(
          400, "bad parameter", "until must be a non-negative integer (ms since the epoch)"));
    }
    query.until_ms = static_cast<core::TimestampMs>(*value);
  }
  if (query.since_ms.has_value() && query.until_ms.has_value() && *query.since_ms > *query.until_ms) {
    return std::move(responder)(ErrorResponse(400, "bad parameter", "since is after until"));
  }
  if (auto types = params.Get("types")) {
    std::optional<std::vector<core::EventType>> parsed = ParseTypes(*types);
    if (!parsed.has_value() || parsed->empty()) {
      return std::move(responder)(
          ErrorResponse(400, "bad parameter", "unknown event type in types"));
    }
    if (std::find(parsed->begin(), parsed->end(), core::EventType::kRenew) != parsed->end()) {
      return std::move(responder)(ErrorResponse(
          400, "bad parameter", "RENEW is not kept in the audit history (see /logbook/v1/events)"));
    }
    query.types = *std::move(parsed);
  }
  if (auto limit = params.Get("limit")) {
    std::optional<std::uint64_t> value = ParseUint(*limit);
    if (!value.has_value() || *value == 0) {
      return std::move(responder)(
          ErrorResponse(400, "bad parameter", "limit must be a positive integer"));
    }
    query.limit = std::min<std::uint64_t>(*value, options_.max_history_per_read);
  }
  if (auto from = params.Get("from")) {
    std::optional<std::uint64_t> value = ParseUint(*from);
    if (!value.has_value() || *value == 0) {
      return std::move(responder)(
          ErrorResponse(400, "bad parameter", "from must be a positive integer offset"));
    }
    query.from = *value;
  }
  auto* job = new HistoryJob{{}, options_.audit, std::move(query), std::move(responder),
                             absl::UnknownError("not run")};
  job->work.data = job;
  const int rc = uv_queue_work(
      loop_, &job->work,
      [](uv_work_t* work) {
        auto* j = static_cast<HistoryJob*>(work->data);
        j->page = j->audit->History(j->query);
      },
      [](uv_work_t* work, int) {
        auto* j = static_cast<HistoryJob*>(work->data);
        AnswerHistory(std::move(j->responder), j->page);
        delete j;
      });
  if (rc != 0) {
    std::move(job->responder)(ErrorResponse(503, "cannot schedule history read", uv_strerror(rc)));
    delete job;
  }
}

struct LogbookApi::Waiter {
  LogbookApi* api;
  EventsQuery query;
  Responder responder;
  uv_timer_t timer;
  std::list<Waiter*>::iterator position;
};

struct LogbookApi::ReadJob {
  uv_work_t work;
  LogbookApi* api;
  const core::EventJournal* journal;
  EventsQuery query;
  Responder responder;
  std::vector<core::Event> events;
  absl::Status status;
  // Replication reads, filled on the pool: the encoded self-originated
  // events of [query.from, next).
  const core::EventCodec* codec = nullptr;
  std::string node_id;
  std::size_t max_bytes = 0;
  std::string body;
  std::size_t event_count = 0;
  core::Offset next = 0;
  // Set on the loop when the read is scheduled: the scan reaches at least
  // this offset unless the batch fills first.
  core::Offset durable_before_read = 0;

  // Pool thread.
  void Run() {
    if (!query.replication) {
      status = journal->Read(query.from, query.limit, &events);
      return;
    }
    next = query.from;
    const absl::Status raw = RunReplicationRaw();
    if (!absl::IsUnimplemented(raw)) {
      status = raw;
      return;
    }
    // A journal without raw reads (test doubles): decode and re-encode.
    // Read in small chunks into one reused vector: a whole batch of decoded
    // events at once is megabytes of fresh allocations (page faults) per pull.
    constexpr std::size_t kChunk = 256;
    events.reserve(kChunk);
    next = query.from;
    // Other origins' events seen since the last served event: each becomes
    // a requirement before the next one (docs/replication.md, "Causality").
    std::map<std::string, replication::Requirement> seen;
    const core::Offset end = query.from + query.limit;
    bool full = false;
    while (next < end && !full) {
      events.clear();
      status = journal->Read(next, std::min<std::size_t>(kChunk, end - next), &events);
      if (!status.ok()) return;
      if (events.empty()) break;  // the durable end
      for (const core::Event& event : events) {
        // Stop at the byte bound, but never before one record: a single
        // event larger than it must still get through.
        if (body.size() >= max_bytes && event_count > 0) {
          full = true;
          break;
        }
        next = event.offset + 1;
        // Events pulled from peers never travel on: each node serves what it
        // originated, and every node pulls every other (full mesh).
        if (event.origin_node != node_id) {
          seen[event.origin_node] =
              replication::Requirement{event.offset, event.origin_node, event.origin_offset};
          continue;
        }
        FlushRequirements(seen);
        replication::AppendRecord(*codec, event, &body);
        ++event_count;
      }
    }
    // Trailing ones too: the puller's cursor may pass them only once it
    // holds what they name.
    FlushRequirements(seen);
    events.clear();
  }

  // The stored bytes of the node's own events go out as they are; only the
  // origin is read (and the checksum checked) to tell them from other
  // origins' events.
  absl::Status RunReplicationRaw() {
    std::map<std::string, replication::Requirement, std::less<>> seen;
    absl::Status peeked;
    absl::Status read = journal->ReadRaw(
        query.from, query.limit, [&](core::Offset offset, std::string_view value) {
          // Stop at the byte bound, but never before one record: a single
          // event larger than it must still get through.
          if (body.size() >= max_bytes && event_count > 0) return false;
          absl::StatusOr<core::EventOrigin> origin = codec->PeekOrigin(value, offset);
          if (!origin.ok()) {
            peeked = origin.status();
            return false;
          }
          next = offset + 1;
          if (origin->node != node_id) {
            auto it = seen.find(origin->node);
            if (it == seen.end()) {
              it = seen.emplace(std::string(origin->node),
                                replication::Requirement{0, std::string(origin->node), 0})
                       .first;
            }
            it->second.offset = offset;
            it->second.origin_offset = origin->offset;
            return true;
          }
          FlushRequirements(seen);
          replication::AppendEncodedRecord(offset, value, &body);
          ++event_count;
          return true;
        });
    if (!read.ok()) return read;
    RETURN_IF_ERROR(peeked);
    FlushRequirements(seen);
    return absl::OkStatus();
  }

  template <typename Seen>
  void FlushRequirements(Seen& seen) {
    if (seen.empty()) return;
    std::vector<replication::Requirement> ordered;
    for (auto& [origin, requirement] : seen) ordered.push_back(std::move(requirement));
    // Offsets must increase through the body.
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.offset < b.offset; });
    for (const replication::Requirement& requirement : ordered) {
      replication::AppendRequirement(requirement, &body);
    }
    seen.clear();
  }
};

LogbookApi::LogbookApi(uv_loop_t* loop, core::Registry& registry, WritePipeline& pipeline,
                       const core::EventJournal& journal, const core::Clock& clock,
                       LogbookApiOptions options)
    : loop_(loop),
      registry_(registry),
      pipeline_(pipeline),
      journal_(journal),
      clock_(clock),
      options_(std::move(options)),
      started_ms_(clock.NowMs()),
      snapshot_handler_(loop, options_.snapshot_export, options_.node_id, options_.log_identity) {
  pipeline_.AddAppliedListener([this](const core::Event& event) {
    if (event.origin_node == options_.node_id) own_not_durable_.push_back(event.offset);
  });
}

LogbookApi::~LogbookApi() { ReleaseWaiters(); }

void LogbookApi::Handle(const Route& route, HttpRequest&& request, Responder responder) {
  if (request.method != "GET") {
    HttpResponse response = ErrorResponse(405, "method not allowed");
    response.SetHeader("Allow", "GET");
    return std::move(responder)(std::move(response));
  }
  switch (route.endpoint) {
    case Endpoint::kHealthz:
      return std::move(responder)(JsonResponse(200, "{\"status\":\"ok\"}"));
    case Endpoint::kReadyz: {
      const bool ready = ready_ && pipeline_.accepting_writes();
      if (ready) return std::move(responder)(JsonResponse(200, "{\"status\":\"ready\"}"));
      if (!pipeline_.failure().ok()) {
        return std::move(responder)(
            ErrorResponse(503, "not ready", core::MessageOf(pipeline_.failure())));
      }
      if (!pipeline_.disk_full().ok()) {
        // Reads are still served; writes wait for space (docs/durability.md).
        return std::move(responder)(ErrorResponse(
            503, "disk full: writes refused until space returns",
            core::MessageOf(pipeline_.disk_full())));
      }
      return std::move(responder)(ErrorResponse(503, "not ready", not_ready_reason_));
    }
    case Endpoint::kLogbookStatus:
      return GetStatus(std::move(responder));
    case Endpoint::kLogbookEvents:
      return GetEvents(request, std::move(responder));
    case Endpoint::kLogbookHistory:
      return GetHistory(request, std::move(responder));
    case Endpoint::kLogbookReplicationEvents:
      return GetReplicationEvents(request, std::move(responder));
    case Endpoint::kLogbookReplicationSnapshot:
      return snapshot_handler_.Handle(std::move(responder));
    default:
      return std::move(responder)(ErrorResponse(404, "not found"));
  }
}

void LogbookApi::GetStatus(Responder responder) {
  const core::TimestampMs now_ms = clock_.NowMs();
  const std::int64_t threshold =
      core::RenewsPerMinuteThreshold(registry_.expected_clients(), options_.self_preservation);
  const std::int64_t renews = registry_.RenewsLastMinute(now_ms);
  std::string body;
  eureka::JsonWriter w(&body);
  w.BeginObject();
  w.Key("node_id");
  w.String(options_.node_id);
  w.Key("log_identity");
  w.String(options_.log_identity);
  // The node's clock and start: the dashboard shows time and uptime as the node sees them.
  w.Key("now_ms");
  w.Int(now_ms);
  w.Key("started_ms");
  w.Int(started_ms_);
  w.Key("log");
  w.BeginObject();
  w.Key("first_offset");
  w.Uint(journal_.first_offset());
  w.Key("last_offset");
  w.Uint(journal_.last_offset());
  w.Key("durable_offset");
  w.Uint(pipeline_.durable_offset());
  if (options_.disk_bytes) {
    w.Key("disk_bytes");
    w.Uint(options_.disk_bytes());
  }
  w.Key("disk_full");
  w.Bool(!pipeline_.disk_full().ok());
  w.Key("disk_full_episodes");
  w.Uint(pipeline_.disk_full_episodes());
  w.EndObject();
  w.Key("registry");
  w.BeginObject();
  w.Key("applications");
  w.Uint(registry_.applications().size());
  w.Key("instances");
  w.Int(registry_.instance_count());
  w.Key("apps_hashcode");
  w.String(core::AppsHashcode(registry_.status_counts()));
  w.EndObject();
  w.Key("self_preservation");
  w.BeginObject();
  w.Key("enabled");
  w.Bool(options_.self_preservation.enabled);
  w.Key("expected_clients");
  w.Int(registry_.expected_clients());
  w.Key("renews_threshold");
  w.Int(threshold);
  w.Key("renews_last_min");
  w.Int(renews);
  w.Key("lease_expiration_enabled");
  w.Bool(core::LeaseExpirationEnabled(registry_, now_ms, options_.self_preservation));
  w.EndObject();
  w.Key("peers");
  w.BeginArray();
  if (options_.peer_status) {
    for (const replication::PeerStatus& peer : options_.peer_status()) {
      w.BeginObject();
      w.Key("url");
      w.String(peer.url);
      w.Key("node_id");
      w.String(peer.node_id);
      w.Key("log_identity");
      w.String(peer.log_identity);
      w.Key("cursor");
      w.Uint(peer.cursor);
      w.Key("peer_durable_offset");
      w.Uint(peer.peer_durable_offset);
      w.Key("lag_events");
      w.Uint(peer.lag_events);
      w.Key("lag_ms");
      w.Int(peer.lag_ms);
      w.Key("state");
      w.String(peer.state);
      w.Key("last_error");
      w.String(peer.last_error);
      w.Key("batches");
      w.Uint(peer.batches);
      w.Key("events");
      w.Uint(peer.events);
      w.Key("snapshots_merged");
      w.Uint(peer.snapshots_merged);
      w.EndObject();
    }
  } else {
    for (const std::string& url : options_.peer_urls) {
      w.BeginObject();
      w.Key("url");
      w.String(url);
      w.Key("state");
      w.String("configured");
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("eureka_peers");
  w.BeginArray();
  if (options_.eureka_peer_status) {
    for (const replication::EurekaPeerStatus& peer : options_.eureka_peer_status()) {
      w.BeginObject();
      w.Key("url");
      w.String(peer.url);
      w.Key("state");
      w.String(peer.state);
      w.Key("queue_length");
      w.Uint(peer.queue_length);
      w.Key("sent_batches");
      w.Uint(peer.sent_batches);
      w.Key("sent_items");
      w.Uint(peer.sent_items);
      w.Key("failed_items");
      w.Uint(peer.failed_items);
      w.Key("dropped_items");
      w.Uint(peer.dropped_items);
      w.Key("send_errors");
      w.Uint(peer.send_errors);
      w.Key("reregistered");
      w.Uint(peer.reregistered);
      w.Key("conflicts");
      w.Uint(peer.conflicts);
      w.Key("last_error");
      w.String(peer.last_error);
      w.Key("last_success_ms");
      w.Int(peer.last_success_ms);
      w.EndObject();
    }
  }
  w.EndArray();
  w.Key("recovery");
  w.BeginObject();
  w.Key("snapshot_offset");
  w.Uint(options_.recovery.snapshot_offset);
  w.Key("replayed_events");
  w.Uint(options_.recovery.replayed_events);
  w.Key("ms");
  w.Int(options_.recovery.ms);
  w.EndObject();
  if (options_.loop_meter != nullptr) {
    const LoopStallStats loop = options_.loop_meter->stats();
    w.Key("loop");
    w.BeginObject();
    w.Key("max_stall_ms");
    w.Double(loop.max_stall_ms);
    w.Key("max_stall_cpu_ms");
    w.Double(loop.max_stall_cpu_ms);
    w.Key("stalls_over_5ms");
    w.Uint(loop.stalls_over_threshold);
    w.Key("recent_max_stall_ms");
    w.Double(loop.recent_max_stall_ms);
    w.Key("recent_window_ms");
    w.Int(loop.window_ms);
    w.Key("iterations");
    w.Uint(loop.iterations);
    w.Key("busy_ms");
    w.Double(loop.busy_ms);
    w.EndObject();
  }
  if (options_.snapshot_status) {
    const SnapshotStatus snapshots = options_.snapshot_status();
    w.Key("snapshots");
    w.BeginObject();
    w.Key("in_progress");
    w.Bool(snapshots.in_progress);
    w.Key("taken");
    w.Uint(snapshots.taken);
    w.Key("last_offset");
    w.Uint(snapshots.last_offset);
    w.Key("last_ms");
    w.Int(snapshots.last_ms);
    w.Key("last_bytes");
    w.Uint(snapshots.last_bytes);
    w.Key("cut_offset");
    w.Uint(snapshots.cut_offset);
    if (!snapshots.last_error.empty()) {
      w.Key("last_error");
      w.String(snapshots.last_error);
    }
    w.EndObject();
  }
  w.EndObject();
  std::move(responder)(JsonResponse(200, std::move(body)));
}

void LogbookApi::GetEvents(const HttpRequest& request, Responder responder) {
  const QueryParams params = QueryParams::Parse(request.query);
  EventsQuery query;
  if (auto from = params.Get("from")) {
    std::optional<std::uint64_t> value = ParseUint(*from);
    if (!value.has_value() || *value == 0) {
      return std::move(responder)(
          ErrorResponse(400, "bad parameter", "from must be a positive integer offset"));
    }
    query.from = *value;
  }
  if (std::optional<HttpResponse> bad = ParseReadBounds(params, options_.max_events_per_read,
                                                        options_.max_wait_ms, &query.limit,
                                                        &query.wait_ms)) {
    return std::move(responder)(std::move(*bad));
  }
  if (auto types = params.Get("types")) {
    std::string_view rest = *types;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view name = rest.substr(0, comma);
      std::optional<core::EventType> type = core::ParseEventType(name);
      if (!type.has_value()) {
        return std::move(responder)(
            ErrorResponse(400, "bad parameter", "unknown event type in types"));
      }
      query.types.push_back(*type);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  const core::Offset first = journal_.first_offset();
  if (query.from < first) {
    // Never a silent jump past what was dropped: the caller must resync.
    return std::move(responder)(GoneResponse(query.from, first));
  }
  const core::Offset durable = pipeline_.durable_offset();
  if (query.from > journal_.last_offset() + 1) {
    return std::move(responder)(ErrorResponse(
        400, "bad parameter",
        "from is beyond the end of the log (next offset " +
            std::to_string(journal_.last_offset() + 1) + ")"));
  }
  if (query.from <= durable) return StartRead(std::move(query), std::move(responder));
  if (query.wait_ms == 0) {
    std::string body;
    eureka::JsonWriter w(&body);
    w.BeginObject();
    w.Key("events");
    w.BeginArray();
    w.EndArray();
    w.Key("next");
    w.Uint(query.from);
    w.Key("first_offset");
    w.Uint(first);
    w.EndObject();
    return std::move(responder)(JsonResponse(200, std::move(body)));
  }
  Park(std::move(query), std::move(responder));
}

void LogbookApi::Park(EventsQuery query, Responder responder) {
  if (waiters_.size() >= options_.max_waiters) {
    return std::move(responder)(ErrorResponse(503, "too many waiting requests"));
  }
  const std::uint64_t now = uv_now(loop_);
  if (query.deadline == 0) query.deadline = now + static_cast<std::uint64_t>(query.wait_ms);
  const std::uint64_t remaining = query.deadline > now ? query.deadline - now : 0;
  auto* waiter = new Waiter{this, std::move(query), std::move(responder), {}, {}};
  waiters_.push_back(waiter);
  waiter->position = std::prev(waiters_.end());
  uv_timer_init(loop_, &waiter->timer);
  waiter->timer.data = waiter;
  uv_timer_start(
      &waiter->timer,
      [](uv_timer_t* timer) {
        auto* w = static_cast<Waiter*>(timer->data);
        w->api->ReleaseWaiter(w);
      },
      remaining, 0);
}

void LogbookApi::ReleaseWaiter(Waiter* waiter) {
  waiters_.erase(waiter->position);
  uv_timer_stop(&waiter->timer);
  EventsQuery query = waiter->query;
  Responder responder = std::move(waiter->responder);
  uv_close(reinterpret_cast<uv_handle_t*>(&waiter->timer),
           [](uv_handle_t* handle) { delete static_cast<Waiter*>(handle->data); });
  // Either events arrived or the wait ended: a read answers both (possibly empty).
  StartRead(std::move(query), std::move(responder));
}

void LogbookApi::OnDurableAdvanced() {
  const core::Offset durable = pipeline_.durable_offset();
  while (!own_not_durable_.empty() && own_not_durable_.front() <= durable) {
    // max: offsets dropped by a full disk are given out again, so the
    // queue is not always in order.
    own_durable_ = std::max(own_durable_, own_not_durable_.front());
    own_not_durable_.pop_front();
  }
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    Waiter* waiter = *it++;
    // own_durable_ <= durable: an own event lies in [from, durable].
    const core::Offset reached = waiter->query.replication ? own_durable_ : durable;
    if (waiter->query.from <= reached) ReleaseWaiter(waiter);
  }
}

void LogbookApi::ReleaseWaiters() {
  while (!waiters_.empty()) ReleaseWaiter(waiters_.front());
}

void LogbookApi::StartRead(EventsQuery query, Responder responder) {
  auto* job = new ReadJob{};
  job->api = this;
  job->journal = &journal_;
  job->query = std::move(query);
  job->responder = std::move(responder);
  job->codec = options_.codec;
  job->node_id = options_.node_id;
  job->max_bytes = options_.max_replication_bytes_per_read;
  job->durable_before_read = pipeline_.durable_offset();
  job->work.data = job;
  const int rc = uv_queue_work(
      loop_, &job->work,
      [](uv_work_t* work) { static_cast<ReadJob*>(work->data)->Run(); },
      [](uv_work_t* work, int) {
        auto* j = static_cast<ReadJob*>(work->data);
        j->api->FinishRead(j);
        delete j;
      });
  if (rc != 0) {
    std::move(job->responder)(ErrorResponse(503, "cannot schedule log read", uv_strerror(rc)));
    delete job;
  }
}

void LogbookApi::FinishRead(ReadJob* job) {
  if (job->query.replication) return FinishReplicationRead(job);
  if (job->status.code() == absl::StatusCode::kOutOfRange) {
    // Retention dropped the range between the check in GetEvents and the read.
    return std::move(job->responder)(GoneResponse(job->query.from, journal_.first_offset()));
  }
  if (!job->status.ok()) {
    return std::move(job->responder)(
        ErrorResponse(500, "log read failed", core::MessageOf(job->status)));
  }
  core::Offset next = job->query.from;
  std::string body;
  eureka::JsonWriter w(&body);
  w.BeginObject();
  w.Key("events");
  w.BeginArray();
  for (const core::Event& event : job->events) {
    next = event.offset + 1;
    const bool wanted =
        job->query.types.empty() ||
        std::find(job->query.types.begin(), job->query.types.end(), event.type) !=
            job->query.types.end();
    if (wanted) eureka::WriteEventJson(event, w);
  }
  w.EndArray();
  w.Key("next");
  w.Uint(next);
  w.Key("first_offset");
  w.Uint(journal_.first_offset());
  w.EndObject();
  std::move(job->responder)(JsonResponse(200, std::move(body)));
}

}  // namespace logbook::net

namespace logbook::net {

void LogbookApi::SetReplicationHeaders(core::Offset from, core::Offset next,
                                       core::Offset durable, HttpResponse& response) const {
  response.SetHeader(std::string(replication::kNodeIdHeader), options_.node_id);
  response.SetHeader(std::string(replication::kLogIdentityHeader), options_.log_identity);
  response.SetHeader(std::string(replication::kFromHeader), std::to_string(from));
  response.SetHeader(std::string(replication::kNextHeader), std::to_string(next));
  response.SetHeader(std::string(replication::kFirstOffsetHeader),
                     std::to_string(journal_.first_offset()));
  response.SetHeader(std::string(replication::kDurableOffsetHeader), std::to_string(durable));
  response.SetHeader(std::string(replication::kMinFromHeader), std::to_string(MinFrom()));
}

core::Offset LogbookApi::MinFrom() const {
  const core::Offset first = journal_.first_offset();
  return first <= options_.own_events_from ? 1 : first;
}

void LogbookApi::GetReplicationEvents(const HttpRequest& request, Responder responder) {
  if (options_.codec == nullptr) {
    return std::move(responder)(ErrorResponse(503, "replication unavailable"));
  }
  const QueryParams params = QueryParams::Parse(request.query);
  EventsQuery query;
  query.replication = true;
  query.limit = std::min<std::size_t>(1000, options_.max_replication_events_per_read);
  std::optional<std::uint64_t> from;
  if (auto text = params.Get("from")) from = ParseUint(*text);
  if (!from.has_value() || *from == 0) {
    return std::move(responder)(
        ErrorResponse(400, "bad parameter", "from must be a positive integer offset"));
  }
  query.from = *from;
  query.asked_from = *from;
  if (std::optional<HttpResponse> bad = ParseReadBounds(params, options_.max_replication_events_per_read,
                                                        options_.max_wait_ms, &query.limit,
                                                        &query.wait_ms)) {
    return std::move(responder)(std::move(*bad));
  }
  if (auto identity = params.Get("log_identity");
      identity.has_value() && *identity != options_.log_identity) {
    // The caller's cursor names another history of this node (its data dir
    // was wiped): its offsets mean nothing here. Answer now, not after a
    // long-poll, with this log's identity in the headers.
    HttpResponse conflict = ErrorResponse(409, "log identity changed",
                                          "this node's log identity is " + options_.log_identity);
    SetReplicationHeaders(query.from, query.from, pipeline_.durable_offset(), conflict);
    return std::move(responder)(std::move(conflict));
  }
  const core::Offset first = journal_.first_offset();
  if (query.from < first && MinFrom() == 1) {
    // A bootstrapped log starts after its snapshot, and none of the offsets
    // before hold an event of this node's own: scanning from the first
    // offset kept answers [from, next) truthfully.
    query.from = first;
  }
  if (query.from < first) {
    // The puller must fall back to a snapshot: never a silent jump.
    HttpResponse gone = GoneResponse(query.from, first);
    SetReplicationHeaders(query.from, query.from, pipeline_.durable_offset(), gone);
    return std::move(responder)(std::move(gone));
  }
  if (query.from > journal_.last_offset() + 1) {
    HttpResponse bad = ErrorResponse(
        400, "bad parameter",
        "from is beyond the end of the log (next offset " +
            std::to_string(journal_.last_offset() + 1) + ")");
    SetReplicationHeaders(query.from, query.from, pipeline_.durable_offset(), bad);
    return std::move(responder)(std::move(bad));
  }
  if (query.from <= pipeline_.durable_offset()) {
    return StartRead(std::move(query), std::move(responder));
  }
  if (query.wait_ms == 0) {
    HttpResponse response;
    response.status = 200;
    response.SetHeader("Content-Type", std::string(replication::kContentType));
    response.SetHeader(std::string(replication::kEventCountHeader), "0");
    SetReplicationHeaders(query.asked_from, query.from, pipeline_.durable_offset(), response);
    return std::move(responder)(std::move(response));
  }
  Park(std::move(query), std::move(responder));
}

void LogbookApi::FinishReplicationRead(ReadJob* job) {
  if (job->status.code() == absl::StatusCode::kOutOfRange) {
    HttpResponse gone = GoneResponse(job->query.from, journal_.first_offset());
    SetReplicationHeaders(job->query.from, job->query.from, pipeline_.durable_offset(), gone);
    return std::move(job->responder)(std::move(gone));
  }
  if (!job->status.ok()) {
    return std::move(job->responder)(
        ErrorResponse(500, "log read failed", core::MessageOf(job->status)));
  }
  // A parked pull is woken only once an event of ours is durable in its
  // range (OnDurableAdvanced), so other origins' events scanned with it come
  // with that event, and their requirements before it. An answer without
  // one (the deadline, shutdown, or a scan that stopped at `limit` first) is
  // sent as it is: its Next tells the puller it holds everything of ours
  // up to there.
  HttpResponse response;
  response.status = 200;
  response.body = std::move(job->body);
  response.SetHeader("Content-Type", std::string(replication::kContentType));
  response.SetHeader(std::string(replication::kEventCountHeader),
                     std::to_string(job->event_count));
  // The durable offset as of the scan, not as of now: events that became
  // durable since were not looked at, and counting them as the puller's lag
  // would show it behind while it long-polls, which it does until the next
  // own event or the end of the wait when they are other origins' events.
  // A scan stops short of this offset only when the batch is full.
  SetReplicationHeaders(job->query.asked_from, job->next,
                        std::max(job->durable_before_read, job->next - 1), response);
  std::move(job->responder)(std::move(response));
}

}  // namespace logbook::net

