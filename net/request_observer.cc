#include "net/request_observer.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "net/pooled_callable.h"

namespace logbook::net {
namespace {

// Statuses 100-599 are all a response can carry (the connection turns
// anything else into a 500).
constexpr int kFirstStatus = 100;
constexpr int kStatusSlots = 500;

// Enough of an error body to say why, short enough for one log line.
constexpr std::size_t kMaxReasonBytes = 300;

std::string_view Truncated(std::string_view text) { return text.substr(0, kMaxReasonBytes); }

}  // namespace

struct RequestObserver::EndpointStats {
  std::array<std::uint64_t, kStatusSlots> by_status{};
  Histogram latency_seconds{LatencySecondsBuckets()};
};

// The callable behind an observed Responder: records the exchange, then
// passes the response on.
class RequestObserver::ObservedResponder {
 public:
  ObservedResponder(RequestObserver* observer, EndpointStats* stats, std::string_view endpoint,
                    const HttpRequest& request, Responder inner)
      : observer_(observer),
        stats_(stats),
        endpoint_(endpoint),
        start_(std::chrono::steady_clock::now()),
        inner_(std::move(inner)) {
    // Copied only when a line may be written: most requests are neither
    // logged nor rejected.
    if (observer->options_.access_log || observer->logger_.Enabled(LogLevel::kDebug)) {
      method_ = request.method;
      path_ = request.path;
      remote_ = request.remote;
    }
  }
  ObservedResponder(ObservedResponder&& other) noexcept
      : observer_(std::exchange(other.observer_, nullptr)),
        stats_(other.stats_),
        endpoint_(other.endpoint_),
        start_(other.start_),
        inner_(std::move(other.inner_)),
        method_(std::move(other.method_)),
        path_(std::move(other.path_)),
        remote_(std::move(other.remote_)) {}
  ObservedResponder& operator=(ObservedResponder&&) = delete;

  ~ObservedResponder() {
    // Dropped unanswered: the inner responder's destructor answers 500.
    if (observer_ != nullptr) Finish(500, 0, "the handler dropped the request");
  }

  void operator()(HttpResponse response) && {
    if (observer_ == nullptr) return;
    std::string_view reason;
    if (response.status >= 400) reason = Truncated(response.body);
    Finish(response.status, response.BodySize(), reason);
    std::move(inner_)(std::move(response));
  }

 private:
  void Finish(int status, std::size_t bytes, std::string_view reason) {
    RequestObserver* observer = std::exchange(observer_, nullptr);
    const auto elapsed = std::chrono::steady_clock::now() - start_;
    observer->Record(*stats_, status, elapsed);
    const auto duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    if (observer->options_.access_log) {
      observer->logger_.Info("request", {{"method", method_},
                                         {"path", path_},
                                         {"status", status},
                                         {"bytes", bytes},
                                         {"duration_us", duration_us},
                                         {"remote", remote_},
                                         {"endpoint", endpoint_}});
    }
    if (status >= 400) {
      observer->logger_.Debug("request rejected", {{"method", method_},
                                                   {"path", path_},
                                                   {"status", status},
                                                   {"remote", remote_},
                                                   {"endpoint", endpoint_},
                                                   {"reason", reason}});
    }
  }

  RequestObserver* observer_;  // null once recorded (or moved from)
  EndpointStats* stats_;
  std::string_view endpoint_;
  std::chrono::steady_clock::time_point start_;
  Responder inner_;
  std::string method_;
  std::string path_;
  std::string remote_;
};

RequestObserver::RequestObserver(Logger& logger, RequestObserverOptions options)
    : logger_(logger), options_(options) {}

RequestObserver::~RequestObserver() = default;

RequestObserver::EndpointStats& RequestObserver::StatsFor(std::string_view endpoint) {
  std::unique_ptr<EndpointStats>& stats = endpoints_[endpoint];
  if (stats == nullptr) stats = std::make_unique<EndpointStats>();
  return *stats;
}

void RequestObserver::Record(EndpointStats& stats, int status, std::chrono::nanoseconds elapsed) {
  const int slot = std::clamp(status, kFirstStatus, kFirstStatus + kStatusSlots - 1) - kFirstStatus;
  ++stats.by_status[static_cast<std::size_t>(slot)];
  stats.latency_seconds.Observe(std::chrono::duration<double>(elapsed).count());
}

Responder RequestObserver::Observe(std::string_view endpoint, const HttpRequest& request,
                                   Responder responder) {
  // Pooled: the wrapper holds the inner Responder, too big to sit inline in
  // the outer one, and every request is observed.
  return Responder(Pooled<ObservedResponder>(
      ObservedResponder(this, &StatsFor(endpoint), endpoint, request, std::move(responder))));
}

void RequestObserver::OnConnectionError(int status, std::string_view detail,
                                        std::string_view remote) {
  Record(StatsFor(kConnection), status, std::chrono::nanoseconds(0));
  logger_.Debug("request rejected", {{"status", status},
                                     {"remote", remote},
                                     {"endpoint", kConnection},
                                     {"reason", Truncated(detail)}});
}

void RequestObserver::Collect(MetricsTextWriter& writer) {
  // Sorted, so that a scrape reads the same way every time.
  std::vector<std::string_view> names;
  names.reserve(endpoints_.size());
  for (const auto& entry : endpoints_) names.push_back(entry.first);
  std::sort(names.begin(), names.end());

  writer.Family("logbook_http_requests_total", MetricType::kCounter,
                "HTTP requests answered, by endpoint and status code (endpoint \"unmatched\": "
                "no route; \"connection\": refused by the server before any endpoint).");
  char status_text[4];
  for (std::string_view name : names) {
    const EndpointStats& stats = *endpoints_.at(name);
    for (int slot = 0; slot < kStatusSlots; ++slot) {
      const std::uint64_t count = stats.by_status[static_cast<std::size_t>(slot)];
      if (count == 0) continue;
      const int status = kFirstStatus + slot;
      status_text[0] = static_cast<char>('0' + status / 100);
      status_text[1] = static_cast<char>('0' + status / 10 % 10);
      status_text[2] = static_cast<char>('0' + status % 10);
      writer.Sample({{"endpoint", name}, {"code", std::string_view(status_text, 3)}}, count);
    }
  }
  writer.Family("logbook_http_request_duration_seconds", MetricType::kHistogram,
                "Time from a request being parsed to its response being handed to the "
                "connection, by endpoint (long polls included).");
  for (std::string_view name : names) {
    if (name == kConnection) continue;  // no handler time to speak of
    const Histogram::Snapshot snapshot = endpoints_.at(name)->latency_seconds.Read();
    writer.Histogram({{"endpoint", name}}, snapshot.data());
  }
}

}  // namespace logbook::net
