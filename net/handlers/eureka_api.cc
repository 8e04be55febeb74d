#include "net/handlers/eureka_api.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/apps_hashcode.h"
#include "core/self_preservation_state.h"
#include "core/status.h"
#include "net/error_response.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/fragment_documents.h"
#include "net/eureka/gzip.h"
#include "net/eureka/json_writer.h"
#include "net/eureka/registration_validation.h"
#include "net/eureka/registry_views.h"
#include "net/pooled_callable.h"
#include "net/query_params.h"

namespace logbook::net {
namespace {

using eureka::PayloadFlavour;
using eureka::WireFormat;

constexpr std::string_view kReplicationHeader = "x-netflix-discovery-replication";

// A build that encoded this many fragments (the first fetch of a format at
// scale, a mass change) frees as many transient encodings, scattered between
// the fragments it keeps: the heap keeps those pages resident (~0.9 KB per
// instance at 100,000 instances with the four full documents cached) until
// they are handed back. Rare, and small next to the build itself.
constexpr std::uint64_t kTrimAfterEncodes = 10000;

void ReturnFreeHeapToSystem() {
#if defined(__GLIBC__)
  ::malloc_trim(0);
#endif
}

bool IsReplication(const HttpRequest& request) {
  // Exactly "true", case-sensitive (eureka-protocol.md §1.4).
  return request.Header(kReplicationHeader) == "true";
}

// Parses a whole decimal int64; nullopt on anything else.
std::optional<std::int64_t> ParseInt64(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

HttpResponse EmptyResponse(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

HttpResponse BodyResponse(std::string body, WireFormat format) {
  HttpResponse response;
  response.body = std::move(body);
  response.SetHeader("Content-Type", std::string(eureka::ContentTypeOf(format)));
  return response;
}

// E1 step 1: the JSON error body only when the request media type is exactly
// application/json; XML otherwise (the Jersey resource's own rule).
HttpResponse CannotParseBody(std::string_view content_type, std::string_view detail) {
  constexpr std::string_view kError = "cannot parse request body";
  if (content_type == "application/json") return ErrorResponse(400, kError, detail);
  HttpResponse response;
  response.status = 400;
  response.body = eureka::WriteErrorXml(kError);
  response.SetHeader("Content-Type", "application/xml");
  return response;
}

HttpResponse LogUnavailable(const absl::Status& status) {
  // ResourceExhausted is the journal's "disk full": transient, the client
  // should retry later (docs/durability.md).
  if (absl::IsResourceExhausted(status)) {
    return ErrorResponse(503, "disk full: writes refused until space returns",
                         core::MessageOf(status));
  }
  return ErrorResponse(503, "log unavailable", core::MessageOf(status));
}

HttpResponse MethodNotAllowed(std::string_view allowed) {
  HttpResponse response = ErrorResponse(405, "method not allowed");
  response.SetHeader("Allow", std::string(allowed));
  return response;
}

std::string EncodeInstance(const core::InstanceRecord& record, WireFormat format) {
  const eureka::InstanceView view{&record, record.action_type};
  return format == WireFormat::kJson ? eureka::WriteInstanceJson(view)
                                     : eureka::WriteInstanceXml(view);
}

// Parsed lastDirtyTimestamp query parameter: absent, a number, or malformed
// (Eureka fails with 500 on a non-numeric value: E2, E4).
struct DirtyParam {
  std::optional<core::TimestampMs> value;
  bool malformed = false;
};

DirtyParam ParseDirtyParam(const QueryParams& params) {
  DirtyParam result;
  if (auto text = params.Get("lastDirtyTimestamp")) {
    result.value = ParseInt64(*text);
    result.malformed = !result.value.has_value();
  }
  return result;
}

// A cached read whose gzip body is being compressed on the pool: answered
// once the body is ready and what it shows is durable, whichever comes last
// (at once with 503 if durability fails).
class ParkedRead {
 public:
  ParkedRead(HttpResponse response, Responder responder)
      : response_(std::move(response)), responder_(std::move(responder)) {}

  void OnBody(SharedBody body) {
    response_.shared_body = std::move(body);
    MaybeAnswer();
  }
  void OnDurable(absl::Status status) {
    durable_ = std::move(status);
    MaybeAnswer();
  }

 private:
  void MaybeAnswer() {
    if (answered_ || !durable_.has_value()) return;
    if (!durable_->ok()) {
      answered_ = true;
      return std::move(responder_)(LogUnavailable(*durable_));
    }
    if (!response_.shared_body) return;
    answered_ = true;
    std::move(responder_)(std::move(response_));
  }

  HttpResponse response_;
  Responder responder_;
  std::optional<absl::Status> durable_;
  bool answered_ = false;
};

eureka::ResponseCacheOptions CacheOptions(const EurekaApiOptions& options) {
  eureka::ResponseCacheOptions cache;
  cache.loop = options.compression_loop;
  cache.before_pooled_compression_for_test = options.before_pooled_compression_for_test;
  return cache;
}

}  // namespace

EurekaApi::EurekaApi(core::Registry& registry, WritePipeline& pipeline, const core::Clock& clock,
                     EurekaApiOptions options)
    : registry_(registry),
      pipeline_(pipeline),
      clock_(clock),
      options_(std::move(options)),
      cache_(CacheOptions(options_)),
      started_at_ms_(clock.NowMs()) {}

bool EurekaApi::LeaseExpirationEnabled(core::TimestampMs now_ms) const {
  return core::LeaseExpirationEnabled(registry_, now_ms, options_.self_preservation);
}

core::DecideContext EurekaApi::Context(const HttpRequest& request) const {
  core::DecideContext context;
  context.now_ms = clock_.NowMs();
  context.lease_expiration_enabled = LeaseExpirationEnabled(context.now_ms);
  context.source =
      IsReplication(request) ? core::EventSource::kEurekaPeer : core::EventSource::kClient;
  return context;
}

const core::InstanceRecord* EurekaApi::VisibleInstance(const core::InstanceRecord* record) const {
  if (record == nullptr) return nullptr;
  const core::TimestampMs now_ms = clock_.NowMs();
  if (record->lease.IsExpired(now_ms) && LeaseExpirationEnabled(now_ms)) return nullptr;
  return record;
}

void EurekaApi::Handle(const Route& route, HttpRequest&& request, Responder responder) {
  const std::string& method = request.method;
  switch (route.endpoint) {
    case Endpoint::kApps:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetApps(request, std::move(responder));
    case Endpoint::kDelta:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetDelta(request, std::move(responder));
    case Endpoint::kApp:
      if (method == "GET") return GetApp(route, request, std::move(responder));
      if (method == "POST") return Register(route, std::move(request), std::move(responder));
      return std::move(responder)(MethodNotAllowed("GET, POST"));
    case Endpoint::kInstance:
      if (method == "GET") {
        return GetInstance(registry_.Find(route.app, route.instance_id), request,
                           std::move(responder));
      }
      if (method == "PUT") return Renew(route, request, std::move(responder));
      if (method == "DELETE") return Cancel(route, request, std::move(responder));
      return std::move(responder)(MethodNotAllowed("GET, PUT, DELETE"));
    case Endpoint::kInstanceStatus:
      if (method == "PUT") return PutStatus(route, request, std::move(responder));
      if (method == "DELETE") return DeleteStatus(route, request, std::move(responder));
      return std::move(responder)(MethodNotAllowed("PUT, DELETE"));
    case Endpoint::kInstanceMetadata:
      if (method != "PUT") return std::move(responder)(MethodNotAllowed("PUT"));
      return PutMetadata(route, request, std::move(responder));
    case Endpoint::kInstanceById:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetInstance(registry_.FindById(route.instance_id), request, std::move(responder));
    case Endpoint::kVip:
    case Endpoint::kSvip:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetVip(route, request, std::move(responder));
    case Endpoint::kPeerReplicationBatch:
      if (method != "POST") return std::move(responder)(MethodNotAllowed("POST"));
      return PeerReplicationBatch(std::move(request), std::move(responder));
    case Endpoint::kServerStatus:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetServerStatus(std::move(responder));
    case Endpoint::kStatusOverrides:
      if (method != "GET") return std::move(responder)(MethodNotAllowed("GET"));
      return GetStatusOverrides(std::move(responder));
    default:
      return std::move(responder)(ErrorResponse(404, "not found"));
  }
}

void EurekaApi::ReplyWhenDurable(HttpResponse response, Responder responder) {
  pipeline_.AfterDurable([response = std::move(response),
                          responder = std::move(responder)](absl::Status status) mutable {
    if (!status.ok()) return std::move(responder)(LogUnavailable(status));
    std::move(responder)(std::move(response));
  });
}

void EurekaApi::ReplyCached(
    const HttpRequest& request, std::string key, std::uint64_t version,
    absl::FunctionRef<eureka::DocumentParts(WireFormat, PayloadFlavour, const eureka::PartReuse&)>
        build,
    Responder responder, std::uint64_t variant) {
  const std::string_view accept = request.Header("Accept");
  if (eureka::CachedReadNotAcceptable(accept)) {
    return std::move(responder)(
        ErrorResponse(406, "not acceptable", "this endpoint produces JSON or XML"));
  }
  const WireFormat format = eureka::CachedReadFormat(accept);
  const bool gzip = eureka::AcceptsGzip(request.Header("Accept-Encoding"));
  const PayloadFlavour flavour = eureka::CachedReadFlavour(request.Header("X-Eureka-Accept"));
  key += format == WireFormat::kJson ? "|json" : "|xml";
  if (flavour == PayloadFlavour::kCompact) key += "|compact";
  HttpResponse response;
  response.SetHeader("Content-Type", std::string(eureka::ContentTypeOf(format)));
  if (gzip) response.SetHeader("Content-Encoding", "gzip");
  std::shared_ptr<ParkedRead> parked;
  response.shared_body = cache_.Get(
      key, version, gzip,
      [&](const eureka::PartReuse& reuse) { return build(format, flavour, reuse); },
      [&]() -> eureka::ResponseCache::Waiter {
        parked = std::make_shared<ParkedRead>(std::move(response), std::move(responder));
        return [parked](SharedBody body) mutable { parked->OnBody(std::move(body)); };
      },
      variant);
  if (fragments_.encodes() - encodes_at_trim_ >= kTrimAfterEncodes) {
    encodes_at_trim_ = fragments_.encodes();
    ReturnFreeHeapToSystem();
  }
  if (parked != nullptr) {
    // Durability is awaited from now, not from when the body is ready: a
    // rollback meanwhile (disk full) must still fail this read.
    pipeline_.AfterDurable([parked](absl::Status status) { parked->OnDurable(std::move(status)); });
    return;
  }
  ReplyWhenDurable(std::move(response), std::move(responder));
}

void EurekaApi::GetApps(const HttpRequest& request, Responder responder) {
  ReplyCached(
      request, "apps", registry_.shown_version(),
      [this](WireFormat format, PayloadFlavour flavour, const eureka::PartReuse& reuse) {
        const eureka::ApplicationsDocument document = eureka::FullRegistryDocument(registry_);
        eureka::DocumentParts parts =
            eureka::ApplicationsParts(document, format, flavour, fragments_, reuse);
        // Every live record was just reached: drop the fragments of removed ones.
        fragments_.Prune(static_cast<std::size_t>(registry_.instance_count()));
        return parts;
      },
      std::move(responder));
}

void EurekaApi::GetDelta(const HttpRequest& request, Responder responder) {
  if (options_.disable_delta) {
    return std::move(responder)(
        ErrorResponse(403, "delta disabled", "eureka.server.disable-delta is true"));
  }
  // Cached like the other documents: for one shown version the window only
  // loses entries as they age out, so the number still inside it tells the
  // contents apart. versions__delta counts regenerations, as Eureka's does.
  const core::TimestampMs now_ms = clock_.NowMs();
  ReplyCached(
      request, "delta", registry_.shown_version(),
      [this, now_ms](WireFormat format, PayloadFlavour flavour, const eureka::PartReuse&) {
        const eureka::ApplicationsDocument document =
            eureka::DeltaDocument(registry_, now_ms, ++delta_generation_);
        return eureka::DocumentParts{eureka::TextPart(
            format == WireFormat::kJson ? eureka::WriteApplicationsJson(document, flavour)
                                        : eureka::WriteApplicationsXml(document, flavour))};
      },
      std::move(responder), eureka::DeltaWindowEntries(registry_, now_ms));
}

void EurekaApi::GetApp(const Route& route, const HttpRequest& request, Responder responder) {
  // Existence only: building the view here would copy every instance pointer twice.
  const core::Application* application = registry_.FindApplication(route.app);
  if (application == nullptr || application->instances.empty()) {
    return ReplyWhenDurable(ErrorResponse(404, "application not found", route.app),
                            std::move(responder));
  }
  ReplyCached(
      request, "app|" + route.app, registry_.shown_version(),
      [this, &route](WireFormat format, PayloadFlavour flavour, const eureka::PartReuse& reuse) {
        const eureka::ApplicationView view = *eureka::ApplicationDocument(registry_, route.app);
        return eureka::ApplicationParts(view, format, flavour, fragments_, reuse);
      },
      std::move(responder));
}

void EurekaApi::GetVip(const Route& route, const HttpRequest& request, Responder responder) {
  const bool secure = route.endpoint == Endpoint::kSvip;
  ReplyCached(
      request, (secure ? "svip|" : "vip|") + route.vip, registry_.shown_version(),
      [this, &route, secure](WireFormat format, PayloadFlavour flavour,
                             const eureka::PartReuse& reuse) {
        const eureka::ApplicationsDocument document =
            eureka::VipDocument(registry_, route.vip, secure);
        return eureka::ApplicationsParts(document, format, flavour, fragments_, reuse);
      },
      std::move(responder));
}

void EurekaApi::GetInstance(const core::InstanceRecord* record, const HttpRequest& request,
                            Responder responder) {
  const std::optional<WireFormat> format = eureka::EntityFormat(request.Header("Accept"));
  if (!format.has_value()) return std::move(responder)(ErrorResponse(406, "not acceptable"));
  record = VisibleInstance(record);
  if (record == nullptr) {
    return ReplyWhenDurable(ErrorResponse(404, "instance not found"), std::move(responder));
  }
  ReplyWhenDurable(BodyResponse(EncodeInstance(*record, *format), *format), std::move(responder));
}

void EurekaApi::CommitAndReply(core::Decision decision, int ok_status, const HttpRequest& request,
                               Responder responder) {
  HttpResponse response = EmptyResponse(ok_status);
  if (decision.outcome == core::Outcome::kConflict && decision.conflict_instance.has_value()) {
    const WireFormat format =
        eureka::EntityFormat(request.Header("Accept")).value_or(WireFormat::kXml);
    response = BodyResponse(EncodeInstance(*decision.conflict_instance, format), format);
    response.status = 409;
  } else if (decision.outcome != core::Outcome::kOk) {
    response = ErrorResponse(
        StatusForOutcome(decision.outcome),
        decision.outcome == core::Outcome::kNotFound ? "not found" : "conflict", decision.reason);
  }
  // Pooled: every write waits for its group commit holding its reply and
  // responder, more than a DurableCallback holds inline.
  auto reply = [response = std::move(response),
                responder = std::move(responder)](absl::Status status) mutable {
    if (!status.ok()) return std::move(responder)(LogUnavailable(status));
    std::move(responder)(std::move(response));
  };
  pipeline_.Commit(std::move(decision.events), Pooled<decltype(reply)>(std::move(reply)));
}

void EurekaApi::Register(const Route& route, HttpRequest&& request, Responder responder) {
  const std::optional<WireFormat> format =
      eureka::RequestBodyFormat(request.Header("Content-Type"));
  if (!format.has_value()) {
    return std::move(responder)(
        ErrorResponse(415, "unsupported media type", "use application/json or application/xml"));
  }
  std::string body = std::move(request.body);
  if (request.Header("Content-Encoding") == "gzip") {
    absl::StatusOr<std::string> inflated = eureka::GzipDecompress(body, options_.max_body_bytes);
    if (!inflated.ok()) {
      return std::move(responder)(
          CannotParseBody(request.Header("Content-Type"), core::MessageOf(inflated.status())));
    }
    body = std::move(*inflated);
  }
  const core::TimestampMs now_ms = clock_.NowMs();
  absl::StatusOr<core::InstanceInfo> instance = *format == WireFormat::kJson
                                                    ? eureka::ReadInstanceJson(body, now_ms)
                                                    : eureka::ReadInstanceXml(body, now_ms);
  if (!instance.ok()) {
    return std::move(responder)(
        CannotParseBody(request.Header("Content-Type"), core::MessageOf(instance.status())));
  }
  if (std::optional<std::string> problem = eureka::ValidateRegistration(*instance, route.app)) {
    return std::move(responder)(ErrorResponse(400, *problem));
  }
  core::RegisterCommand command{std::move(*instance), IsReplication(request)};
  // 204, not 200: Java clients treat only 204 as a successful registration.
  CommitAndReply(core::DecideRegister(registry_, std::move(command), Context(request),
                                     pipeline_.TakeSpareEvents()),
                 204, request, std::move(responder));
}

void EurekaApi::Renew(const Route& route, const HttpRequest& request, Responder responder) {
  const QueryParams params = QueryParams::Parse(request.query);
  const DirtyParam dirty = ParseDirtyParam(params);
  if (dirty.malformed) {
    return std::move(responder)(ErrorResponse(500, "lastDirtyTimestamp is not a number"));
  }
  core::RenewCommand command;
  command.app = route.app;
  command.instance_id = route.instance_id;
  command.is_replication = IsReplication(request);
  if (options_.sync_when_timestamp_differs) command.last_dirty_timestamp = dirty.value;
  if (auto overridden = params.Get("overriddenstatus")) {
    command.overridden_status = core::ParseStatusLenient(*overridden);
  }
  CommitAndReply(
      core::DecideRenew(registry_, command, Context(request), pipeline_.TakeSpareEvents()), 200,
      request, std::move(responder));
}

void EurekaApi::Cancel(const Route& route, const HttpRequest& request, Responder responder) {
  core::CancelCommand command{route.app, route.instance_id, IsReplication(request)};
  CommitAndReply(core::DecideCancel(registry_, command, Context(request)), 200, request,
                 std::move(responder));
}

void EurekaApi::PutStatus(const Route& route, const HttpRequest& request, Responder responder) {
  const QueryParams params = QueryParams::Parse(request.query);
  const std::optional<std::string_view> value = params.Get("value");
  const std::optional<core::InstanceStatus> status =
      value.has_value() ? core::ParseStatus(*value) : std::nullopt;
  // Eureka answers 500 here (an exception in InstanceStatus.valueOf): E4.
  if (!status.has_value()) {
    return std::move(responder)(
        ErrorResponse(500, "invalid status value",
                      "value must be UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN"));
  }
  const DirtyParam dirty = ParseDirtyParam(params);
  if (dirty.malformed) {
    return std::move(responder)(ErrorResponse(500, "lastDirtyTimestamp is not a number"));
  }
  core::StatusUpdateCommand command{route.app, route.instance_id, *status, dirty.value,
                                    IsReplication(request)};
  CommitAndReply(core::DecideStatusUpdate(registry_, command, Context(request)), 200, request,
                 std::move(responder));
}

void EurekaApi::DeleteStatus(const Route& route, const HttpRequest& request, Responder responder) {
  const QueryParams params = QueryParams::Parse(request.query);
  core::DeleteStatusOverrideCommand command;
  command.app = route.app;
  command.instance_id = route.instance_id;
  command.is_replication = IsReplication(request);
  if (const std::optional<std::string_view> value = params.Get("value")) {
    command.value = core::ParseStatus(*value);
    if (!command.value.has_value()) {
      return std::move(responder)(ErrorResponse(500, "invalid status value"));
    }
  }
  const DirtyParam dirty = ParseDirtyParam(params);
  if (dirty.malformed) {
    return std::move(responder)(ErrorResponse(500, "lastDirtyTimestamp is not a number"));
  }
  command.last_dirty_timestamp = dirty.value;
  CommitAndReply(core::DecideDeleteStatusOverride(registry_, command, Context(request)), 200,
                 request, std::move(responder));
}

void EurekaApi::PutMetadata(const Route& route, const HttpRequest& request, Responder responder) {
  core::MetadataUpdateCommand command;
  command.app = route.app;
  command.instance_id = route.instance_id;
  // Named: a range-for over a temporary's member would dangle (C++20).
  const QueryParams params = QueryParams::Parse(request.query);
  for (const auto& [key, value] : params.all()) {
    if (!core::IsValidName(key)) {
      return std::move(responder)(ErrorResponse(400, "invalid metadata key", key));
    }
    command.metadata.try_emplace(key, value);  // first value of each key wins
  }
  CommitAndReply(core::DecideMetadataUpdate(registry_, command, Context(request)), 200, request,
                 std::move(responder));
}

void EurekaApi::PeerReplicationBatch(HttpRequest&& request, Responder responder) {
  const core::TimestampMs now_ms = clock_.NowMs();
  absl::StatusOr<std::vector<eureka::ReplicationItem>> items =
      eureka::ReadReplicationBatchJson(request.body, now_ms);
  if (!items.ok()) {
    return std::move(responder)(
        ErrorResponse(400, "cannot parse request body", core::MessageOf(items.status())));
  }
  core::DecideContext context;
  context.now_ms = now_ms;
  context.lease_expiration_enabled = LeaseExpirationEnabled(now_ms);
  context.source = core::EventSource::kEurekaPeer;

  std::vector<eureka::ReplicationResult> results;
  results.reserve(items->size());
  // 409 entities are copies: later items may change the registry.
  std::vector<std::unique_ptr<core::InstanceRecord>> entities;
  const auto commit = [this](core::Decision& decision) {
    // Each item is applied before the next is decided; one reply waits for all.
    pipeline_.Commit(std::move(decision.events), [](absl::Status) {});
  };
  for (eureka::ReplicationItem& item : *items) {
    eureka::ReplicationResult result;
    const std::string app = core::ToUpperAscii(item.app_name);
    const std::optional<core::InstanceStatus> status =
        item.status.has_value() ? core::ParseStatus(*item.status) : std::nullopt;
    if (item.action == "Register") {
      // Always 200, even when E1 validation fails (E14).
      if (item.instance_info.has_value() && item.instance_info->ok()) {
        core::InstanceInfo instance = std::move(**item.instance_info);
        if (!eureka::ValidateRegistration(instance, instance.app).has_value()) {
          core::Decision decision =
              core::DecideRegister(registry_, {std::move(instance), true}, context);
          commit(decision);
        }
      }
    } else if (item.action == "Heartbeat") {
      core::RenewCommand command;
      command.app = app;
      command.instance_id = item.id;
      command.is_replication = true;
      if (options_.sync_when_timestamp_differs) {
        command.last_dirty_timestamp = item.last_dirty_timestamp;
      }
      if (item.overridden_status.has_value()) {
        command.overridden_status = core::ParseStatusLenient(*item.overridden_status);
      }
      core::Decision decision = core::DecideRenew(registry_, command, context);
      result.status_code =
          decision.outcome == core::Outcome::kOk ? 200 : StatusForOutcome(decision.outcome);
      if (decision.outcome == core::Outcome::kConflict && decision.conflict_instance) {
        entities.push_back(
            std::make_unique<core::InstanceRecord>(std::move(*decision.conflict_instance)));
        result.response_entity =
            eureka::InstanceView{entities.back().get(), entities.back()->action_type};
      }
      commit(decision);
    } else if (item.action == "Cancel") {
      core::Decision decision = core::DecideCancel(registry_, {app, item.id, true}, context);
      result.status_code =
          decision.outcome == core::Outcome::kOk ? 200 : StatusForOutcome(decision.outcome);
      commit(decision);
    } else if (item.action == "StatusUpdate") {
      if (!status.has_value()) {
        result.status_code = 500;
      } else {
        core::Decision decision = core::DecideStatusUpdate(
            registry_, {app, item.id, *status, item.last_dirty_timestamp, true}, context);
        result.status_code =
            decision.outcome == core::Outcome::kOk ? 200 : StatusForOutcome(decision.outcome);
        commit(decision);
      }
    } else if (item.action == "DeleteStatusOverride") {
      if ((item.status.has_value() && !status.has_value()) ||
          !item.last_dirty_timestamp.has_value()) {
        result.status_code = 500;
      } else {
        core::DeleteStatusOverrideCommand command{app, item.id, status, item.last_dirty_timestamp,
                                                  true};
        core::Decision decision = core::DecideDeleteStatusOverride(registry_, command, context);
        result.status_code =
            decision.outcome == core::Outcome::kOk ? 200 : StatusForOutcome(decision.outcome);
        commit(decision);
      }
    } else {
      result.status_code = 500;
    }
    results.push_back(std::move(result));
  }
  HttpResponse response;
  response.body = eureka::WriteReplicationResponseJson(results);
  response.SetHeader("Content-Type", "application/json");
  ReplyWhenDurable(std::move(response), std::move(responder));
}

void EurekaApi::GetServerStatus(Responder responder) {
  // Informational (E15): the fields dashboards read, in a flat shape.
  const std::int64_t uptime_minutes = (clock_.NowMs() - started_at_ms_) / 60000;
  const std::int64_t days = uptime_minutes / (24 * 60);
  std::string uptime = days > 0 ? std::to_string(days) + (days == 1 ? " day " : " days ") : "";
  const std::int64_t hours = (uptime_minutes / 60) % 24;
  const std::int64_t minutes = uptime_minutes % 60;
  char clock[32];
  std::snprintf(clock, sizeof clock, "%02lld:%02lld", static_cast<long long>(hours),
                static_cast<long long>(minutes));
  uptime += clock;
  std::string replicas;
  for (const std::string& peer : options_.peer_urls) {
    if (!replicas.empty()) replicas += ", ";
    replicas += peer;
  }
  // Always JSON: the document is informational and no client parses it.
  HttpResponse response;
  eureka::JsonWriter writer(&response.body);
  writer.BeginObject();
  writer.Key("generalStats");
  writer.BeginObject();
  writer.Key("environment");
  writer.String("logbook");
  writer.Key("server-uptime");
  writer.String(uptime);
  writer.Key("num-of-instances");
  writer.Int(registry_.instance_count());
  writer.EndObject();
  writer.Key("applicationStats");
  writer.BeginObject();
  writer.Key("registered-replicas");
  writer.String(replicas);
  writer.EndObject();
  writer.EndObject();
  response.SetHeader("Content-Type", "application/json");
  std::move(responder)(std::move(response));
}

void EurekaApi::GetStatusOverrides(Responder responder) {
  HttpResponse response;
  eureka::JsonWriter writer(&response.body);
  writer.BeginObject();
  for (const auto& [id, status] : registry_.overrides()) {
    writer.Key(id);
    writer.String(core::StatusName(status));
  }
  writer.EndObject();
  response.SetHeader("Content-Type", "application/json");
  ReplyWhenDurable(std::move(response), std::move(responder));
}

}  // namespace logbook::net
