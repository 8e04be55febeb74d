#include "net/replication/peer_puller.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/logger.h"
#include "net/replication/batch_chunks.h"
#include "net/replication/replication_wire.h"

namespace logbook::net::replication {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::optional<std::uint64_t> HeaderNumber(const PeerResponse& response, std::string_view name) {
  const std::string_view text = response.Header(name);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

// Shared by the puller and the loop tasks that apply its batches: one mutex
// for the results of every batch in flight, and the stop flag that ends any
// wait on them.
struct PeerPuller::Handoff {
  absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
};

// One handed-over batch's chunks, guarded by its Handoff's mutex.
struct PeerPuller::BatchState {
  std::size_t expected = 0;  // chunks that will be applied and report
  std::size_t applied = 0;   // chunks whose Apply ran (appended or refused)
  std::size_t reported = 0;  // chunks durable or refused
  absl::Status first_error;  // in chunk order
};

namespace {

using Chunks = std::vector<PulledBatch>;

// Applies chunk `index` on the loop, then posts the next one, so requests
// and durability callbacks queued meanwhile run between chunks. A chunk the
// applier refuses ends the chain: the later ones could not continue it.
void PostChunk(LoopMailbox* mailbox, ReplicationApplier* applier,
               std::shared_ptr<PeerPuller::Handoff> handoff,
               std::shared_ptr<PeerPuller::BatchState> state, std::shared_ptr<Chunks> chunks,
               std::size_t index) {
  const bool posted = mailbox->Post([mailbox, applier, handoff, state, chunks, index]() {
    applier->Apply(std::move((*chunks)[index]), [handoff, state](absl::Status status) {
      absl::MutexLock lock(&handoff->mu);
      ++state->reported;
      if (!status.ok() && state->first_error.ok()) state->first_error = std::move(status);
    });
    bool more = false;
    {
      absl::MutexLock lock(&handoff->mu);
      ++state->applied;
      if (!state->first_error.ok() || handoff->stopping) {
        state->expected = std::min(state->expected, index + 1);
      } else {
        more = index + 1 < chunks->size();
      }
    }
    if (more) PostChunk(mailbox, applier, handoff, state, chunks, index + 1);
  });
  if (!posted) {
    absl::MutexLock lock(&handoff->mu);
    state->expected = std::min(state->expected, index);
    if (state->first_error.ok()) state->first_error = absl::CancelledError("loop closed");
  }
}

}  // namespace

PeerPuller::PeerPuller(std::string url, PeerAddress address, std::string self,
                       PullerOptions options, LoopMailbox& mailbox, ReplicationApplier& applier,
                       const CursorTable& cursors, const core::EventCodec& codec,
                       std::uint64_t seed, SnapshotMerger* merger)
    : url_(std::move(url)),
      self_(std::move(self)),
      options_(options),
      mailbox_(mailbox),
      applier_(applier),
      cursors_(cursors),
      codec_(codec),
      merger_(merger),
      random_(seed),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      client_(std::move(address), options.http, wake_fd_),
      handoff_(std::make_shared<Handoff>()) {
  LOGBOOK_CHECK(wake_fd_ >= 0);
  status_.url = url_;
  status_.state = "connecting";
}

PeerPuller::~PeerPuller() {
  Stop();
  client_.Close();
  ::close(wake_fd_);
}

void PeerPuller::Start() { thread_ = std::thread(&PeerPuller::Run, this); }

void PeerPuller::Stop() {
  if (stopping_.exchange(true)) {
    if (thread_.joinable()) thread_.join();
    return;
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof(one));
  {
    absl::MutexLock lock(&handoff_->mu);
    handoff_->stopping = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  status_.state = "stopped";
}

PeerStatus PeerPuller::Status() const {
  absl::MutexLock lock(&mu_);
  PeerStatus status = status_;
  if (behind_since_.has_value()) {
    status.lag_ms = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() -
                                                                          *behind_since_)
                        .count();
  }
  return status;
}

void PeerPuller::Log(std::string_view level, const std::string& message) const {
  // Straight to stderr in the node's logfmt (this runs on the puller's thread;
  // WriteLine writes a whole line at once).
  const LogLevel parsed = level == "error"  ? LogLevel::kError
                          : level == "warn" ? LogLevel::kWarn
                          : level == "info" ? LogLevel::kInfo
                                            : LogLevel::kDebug;
  Logger::WriteLine(stderr, parsed, "replication: " + message, {{"peer", url_}});
}

void PeerPuller::Fail(std::string_view state, const absl::Status& status) {
  const std::string error(core::MessageOf(status));
  // One line per change of trouble, not one per retry.
  if (error != last_logged_error_) {
    Log(state == "needs_snapshot" ? "error" : "warn", error);
    last_logged_error_ = error;
  }
  absl::MutexLock lock(&mu_);
  status_.state = std::string(state);
  status_.last_error = error;
  ++status_.errors;
  status_.last_error_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
}

void PeerPuller::Run() {
  while (!stopping_.load()) {
    if (PullOnce()) {
      failures_ = 0;
      continue;
    }
    if (stopping_.load()) break;
    SleepBackoff();
  }
}

void PeerPuller::SleepBackoff() {
  // Exponential with full jitter in [half, whole]: peers restarted together
  // do not retry in lockstep.
  const int exponent = std::min(failures_, 20);
  ++failures_;
  const std::int64_t ceiling =
      std::min(options_.backoff_max_ms, options_.backoff_initial_ms << exponent);
  std::uniform_int_distribution<std::int64_t> jitter(ceiling / 2, std::max<std::int64_t>(ceiling, 1));
  const std::int64_t sleep_ms = jitter(random_);
  pollfd fd{wake_fd_, POLLIN, 0};
  ::poll(&fd, 1, static_cast<int>(sleep_ms));
}

bool PeerPuller::PullOnce() {
  // Where to resume: the cursor held for the peer's node id, once known, or
  // right after the batch in flight (where the cursor will be once that one
  // is durable). Before the first answer we ask for one offset without
  // waiting, just to learn who the peer is.
  // At most two batches handed over and not yet durable.
  if (in_flight_.size() >= 2 && !SettleFront()) {
    SettleAll();
    return false;
  }
  std::optional<core::PeerCursor> held;
  if (!in_flight_.empty()) {
    held = core::PeerCursor{node_id_, in_flight_.back().identity, in_flight_.back().next};
  } else if (!node_id_.empty()) {
    held = cursors_.Get(node_id_);
  }
  const bool handshake = node_id_.empty();
  // Until caught up once, ask without waiting: an idle peer then tells at
  // once that there is nothing more (the restart grace waits for that).
  bool caught_up_once = false;
  {
    absl::MutexLock lock(&mu_);
    caught_up_once = status_.caught_up_once;
  }
  const core::Offset from = held.has_value() ? held->next_offset : 1;
  // Naming the history we expect makes a wiped peer answer at once (409)
  // instead of long-polling on offsets of its new log.
  const std::string target = absl::StrCat(
      "/logbook/v1/replication/events?from=", from,
      "&limit=", handshake ? std::size_t{1} : options_.batch_events,
      "&wait_ms=", handshake || !caught_up_once ? std::int64_t{0} : options_.wait_ms,
      held.has_value() ? absl::StrCat("&log_identity=", held->peer_log_identity) : "");
  absl::StatusOr<PeerResponse> response =
      client_.Get(target, options_.wait_ms + options_.read_margin_ms);
  if (!in_flight_.empty()) {
    // The answer can follow the batches in flight only if they all went in
    // (so far) and it is a plain batch of the same history; anything else
    // is handled with nothing in flight, from the settled cursor.
    const bool continues = response.ok() && response->status == 200 &&
                           response->Header(kNodeIdHeader) == node_id_ &&
                           response->Header(kLogIdentityHeader) == held->peer_log_identity &&
                           ChainApplied(in_flight_.back());
    if (!continues) return SettleAll();
  }
  if (!response.ok()) {
    if (absl::IsCancelled(response.status())) return false;
    Fail("backoff", response.status());
    return false;
  }
  const std::string node_id(response->Header(kNodeIdHeader));
  const std::string identity(response->Header(kLogIdentityHeader));
  const std::optional<std::uint64_t> first = HeaderNumber(*response, kFirstOffsetHeader);
  const std::optional<std::uint64_t> durable = HeaderNumber(*response, kDurableOffsetHeader);
  if (node_id.empty() || identity.empty() || !first.has_value() || !durable.has_value()) {
    Fail("backoff", absl::DataLossError(absl::StrCat(
                        "answer (HTTP ", response->status, ") is not a Logbook replication answer")));
    return false;
  }
  if (node_id == self_) {
    Fail("backoff", absl::FailedPreconditionError("the peer URL points at this node itself"));
    return false;
  }
  {
    absl::MutexLock lock(&mu_);
    status_.node_id = node_id;
    status_.log_identity = identity;
    status_.peer_durable_offset = *durable;
    if (status_.state == "backoff" || status_.state == "connecting") {
      status_.state = "streaming";
      status_.last_error.clear();
    }
  }
  if (node_id != node_id_) {
    // First contact, or another node now answers at this URL: ask again
    // from the cursor held for it.
    node_id_ = node_id;
    return true;
  }
  bool restarted = false;  // pulling a wiped peer's new history from offset 1
  if (held.has_value() && held->peer_log_identity != identity) {
    // The peer's data dir was wiped: its offsets are a new history. It can
    // be replayed from the start only if the peer still has all of it (a
    // bootstrapped peer's log starts after its snapshot, with none of its
    // own events before: Min-From says 1 then).
    const std::uint64_t min_from = HeaderNumber(*response, kMinFromHeader).value_or(*first);
    if (min_from != 1) {
      return MergeSnapshot(absl::FailedPreconditionError(absl::StrCat(
          "peer ", node_id, " has a new log identity ", identity, " (cursor names ",
          held->peer_log_identity, ") and its log starts at offset ", *first,
          ": a snapshot transfer is needed")));
    }
    {
      // Asked with the old identity, so the answer was a 409: ask again.
      Log("warn", absl::StrCat("peer ", node_id, " has a new log identity ", identity,
                               " (cursor names ", held->peer_log_identity,
                               "); pulling its new log from offset 1"));
      // The applier accepts a new history only from offset 1.
      held.reset();
      restarted = true;
      absl::StatusOr<PeerResponse> restart = client_.Get(
          absl::StrCat("/logbook/v1/replication/events?from=1&limit=", options_.batch_events,
                       "&wait_ms=0"),
          options_.wait_ms + options_.read_margin_ms);
      if (!restart.ok()) {
        if (!absl::IsCancelled(restart.status())) Fail("backoff", restart.status());
        return false;
      }
      if (restart->Header(kLogIdentityHeader) != identity) return true;  // changed again
      response = std::move(restart);
    }
  }
  if (response->status == 410) {
    return MergeSnapshot(absl::FailedPreconditionError(
        absl::StrCat("offset ", from, " is older than peer ", node_id,
                     "'s retained log (first offset ", *first, "): a snapshot transfer is needed")));
  }
  if (response->status != 200) {
    Fail("backoff", absl::UnavailableError(absl::StrCat("HTTP ", response->status, ": ",
                                                        response->body.substr(0, 200))));
    return false;
  }
  const std::optional<std::uint64_t> answered_from = HeaderNumber(*response, kFromHeader);
  const std::optional<std::uint64_t> next = HeaderNumber(*response, kNextHeader);
  const core::Offset asked = held.has_value() ? held->next_offset : 1;
  if (!answered_from.has_value() || !next.has_value() || *answered_from != asked ||
      *next < asked) {
    SettleAll();
    Fail("backoff", absl::DataLossError(absl::StrCat("answer covers [",
                                                     answered_from.value_or(0), ", ",
                                                     next.value_or(0), "), asked from ", asked)));
    return false;
  }
  if (handshake) return true;  // we now know the peer: pull for real

  absl::StatusOr<DecodedBatch> events =
      DecodeBatch(codec_, BatchFrame{node_id, asked, *next}, response->body);
  if (!events.ok()) {
    // Never appended: the next pull asks for the same range again.
    SettleAll();
    Fail("backoff", absl::DataLossError(
                        absl::StrCat("bad batch: ", std::string(core::MessageOf(events.status())))));
    return false;
  }
  {
    absl::MutexLock lock(&mu_);
    status_.bytes += response->body.size();
  }
  // An empty range still goes to the applier when it starts a new history:
  // the cursor must name the new identity from now on.
  if (*next > asked || restarted) {
    InFlight batch{identity, asked, *next, {}, response->body.size(), *next > asked, {}, nullptr};
    if (!events->requirements.empty()) {
      // The applier refuses a whole batch only for a requirement recorded at
      // its first offset.
      for (const Requirement& requirement : events->requirements.front()) {
        if (requirement.offset != asked || requirement.origin == self_) continue;
        batch.head_requirements.emplace_back(requirement.origin, requirement.origin_offset);
      }
    }
    batch.offsets.reserve(events->events.size());
    for (const core::Event& event : events->events) batch.offsets.push_back(event.origin_offset);
    if (!Post(std::move(batch), PulledBatch{node_id, identity, asked, *next,
                                            std::move(events->events),
                                            std::move(events->requirements)})) {
      SettleAll();
      return false;
    }
    // Behind: fetch the next batch while this one is committed. Caught up
    // (or starting a new history): settle now, before a long-poll.
    if (*next <= *durable && !restarted) return true;
    return SettleAll();
  }
  if (!SettleAll()) return false;
  MarkProgress(*next);
  return true;
}

void PeerPuller::MarkProgress(core::Offset reached) {
  absl::MutexLock lock(&mu_);
  const bool caught_up = reached > status_.peer_durable_offset;
  status_.state = "streaming";
  status_.last_error.clear();
  status_.cursor = reached;
  status_.lag_events = caught_up ? 0 : status_.peer_durable_offset + 1 - reached;
  if (caught_up) {
    behind_since_.reset();
    status_.caught_up_once = true;
  } else if (!behind_since_.has_value()) {
    behind_since_ = SteadyClock::now();
  }
  last_logged_error_.clear();
}

bool PeerPuller::MergeSnapshot(const absl::Status& why) {
  if (merger_ == nullptr) {
    Fail("needs_snapshot", why);
    return false;
  }
  const std::string reason(core::MessageOf(why));
  if (reason != last_logged_error_) {
    Log("warn", reason + "; merging its snapshot");
    last_logged_error_ = reason;
  }
  {
    absl::MutexLock lock(&mu_);
    status_.state = "merging_snapshot";
    status_.last_error = reason;
  }
  absl::StatusOr<MergeReport> merged = merger_->Merge(
      client_, self_, node_id_, options_.snapshot_read_timeout_ms, stopping_);
  if (!merged.ok()) {
    if (absl::IsCancelled(merged.status()) && stopping_.load()) return false;
    Fail("needs_snapshot",
         absl::Status(merged.status().code(),
                      absl::StrCat("merging the snapshot of peer ", node_id_, " failed: ",
                                   std::string(core::MessageOf(merged.status())))));
    return false;
  }
  Log("info", absl::StrCat("merged the snapshot of peer ", node_id_, " at its offset ",
                           merged->cursor.next_offset - 1, ": ", merged->instances,
                           " instances, replaced=", merged->replaced,
                           " removed=", merged->removed, " kept=", merged->kept,
                           " in ", merged->loop_tasks, " loop tasks (longest ",
                           merged->longest_task_cpu_us / 1000, ".",
                           merged->longest_task_cpu_us / 100 % 10,
                           " ms CPU); pulling its log ", merged->cursor.peer_log_identity,
                           " from offset ", merged->cursor.next_offset));
  {
    absl::MutexLock lock(&mu_);
    status_.log_identity = merged->cursor.peer_log_identity;
    status_.snapshots_merged += 1;
  }
  MarkProgress(merged->cursor.next_offset);
  return true;
}

bool PeerPuller::Post(InFlight batch, PulledBatch pulled) {
  auto chunks = std::make_shared<Chunks>(SplitBatch(std::move(pulled), options_.apply_chunk_events));
  auto state = std::make_shared<BatchState>();
  state->expected = chunks->size();
  {
    absl::MutexLock lock(&handoff_->mu);
    if (handoff_->stopping) return false;
  }
  batch.state = state;
  in_flight_.push_back(std::move(batch));
  PostChunk(&mailbox_, &applier_, handoff_, std::move(state), std::move(chunks), 0);
  return true;
}

bool PeerPuller::ChainApplied(const InFlight& batch) {
  const BatchState* state = batch.state.get();
  Handoff* handoff = handoff_.get();
  const auto applied = [state, handoff]() -> bool {
    return handoff->stopping || state->applied >= state->expected;
  };
  absl::MutexLock lock(&handoff_->mu, absl::Condition(&applied));
  return !handoff_->stopping && state->first_error.ok();
}

bool PeerPuller::SettleAll() {
  bool fine = true;
  while (!in_flight_.empty()) fine = SettleFront() && fine;
  return fine;
}

bool PeerPuller::SettleFront() {
  if (in_flight_.empty()) return true;
  const InFlight batch = std::move(in_flight_.front());
  in_flight_.pop_front();
  const BatchState* state = batch.state.get();
  Handoff* handoff = handoff_.get();
  const auto settled = [state, handoff]() -> bool {
    return handoff->stopping || state->reported >= state->expected;
  };
  absl::Status handed;
  {
    absl::MutexLock lock(&handoff_->mu, absl::Condition(&settled));
    handed = state->reported < state->expected ? absl::CancelledError("stopping")
                                               : state->first_error;
  }
  if (absl::IsCancelled(handed)) return false;
  // Chunks before a refused one did go in: count what the cursor passed.
  core::Offset reached = batch.from;
  if (std::optional<core::PeerCursor> now = cursors_.Get(node_id_);
      now.has_value() && now->peer_log_identity == batch.identity) {
    reached = std::max(reached, now->next_offset);
  }
  const auto applied = static_cast<std::uint64_t>(
      std::lower_bound(batch.offsets.begin(), batch.offsets.end(), reached) -
      batch.offsets.begin());
  {
    absl::MutexLock lock(&mu_);
    status_.cursor = std::max(status_.cursor, reached);
    status_.events += applied;
    status_.batches += batch.counted && handed.ok() ? 1 : 0;
  }
  if (absl::IsFailedPrecondition(handed)) return true;  // cursor moved: re-read it
  if (absl::IsUnavailable(handed)) {
    // Causality: another peer's stream must advance first. Not a failure:
    // pull again as soon as it has (CursorTable::AwaitPast says why not
    // after a fixed sleep), in slices so that Stop() is not held up.
    {
      absl::MutexLock lock(&mu_);
      status_.state = "waiting";
      status_.last_error = std::string(core::MessageOf(handed));
    }
    const auto until = SteadyClock::now() + std::chrono::milliseconds(options_.waiting_retry_ms);
    while (!stopping_.load()) {
      const auto left = until - SteadyClock::now();
      if (left <= SteadyClock::duration::zero()) break;
      const auto slice = std::min<SteadyClock::duration>(left, std::chrono::milliseconds(50));
      if (cursors_.AwaitPast(batch.head_requirements, absl::FromChrono(slice))) break;
    }
    return true;
  }
  if (!handed.ok()) {
    Fail("backoff", handed);
    return false;
  }
  MarkProgress(reached);
  return true;
}

}  // namespace logbook::net::replication
