#include "net/http_connection.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/status.h"
#include "net/http_ascii.h"
#include "net/http_error_response.h"

namespace logbook::net {
namespace {

// How long a closing connection keeps draining unread client bytes after
// its final response (see StartLingeringClose). Long enough for the peer to
// read a response and close; short enough not to delay shutdown much.
constexpr std::uint64_t kLingerMs = 2000;

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// "address:port", "[v6]:port", or "" if the kernel cannot tell.
std::string PeerName(const uv_tcp_t* tcp) {
  sockaddr_storage peer{};
  int length = sizeof(peer);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return "";
  char address[INET6_ADDRSTRLEN] = {};
  if (peer.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&peer);
    uv_ip6_name(v6, address, sizeof address);
    return absl::StrCat("[", address, "]:", ntohs(v6->sin6_port));
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(&peer);
  uv_ip4_name(v4, address, sizeof address);
  return absl::StrCat(address, ":", ntohs(v4->sin_port));
}

// The connection's deadlines are moved by progress rather than by
// restarting their timer on every request (a timer-heap update each): the
// timer runs from the deadline's start and, when it fires early, re-arms for
// the rest.
void ArmUnlessRunning(uv_timer_t* timer, uv_timer_cb callback, std::int64_t timeout_ms) {
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(timer))) return;
  uv_timer_start(timer, callback, static_cast<std::uint64_t>(timeout_ms), 0);
}

// Whether `timeout_ms` has passed since `since_ms`; if not, `timer` is
// re-armed with `callback` for what is left.
bool DeadlinePassedElseRearm(uv_timer_t* timer, uv_timer_cb callback, std::int64_t timeout_ms,
                             std::uint64_t since_ms) {
  const auto timeout = static_cast<std::uint64_t>(timeout_ms);
  const std::uint64_t waited = uv_now(timer->loop) - since_ms;
  if (waited >= timeout) return true;
  uv_timer_start(timer, callback, timeout - waited, 0);
  return false;
}

}  // namespace

// Shared by the connection and its responders, freed with the last of them.
// Counted by hand rather than by shared_ptr so that a PendingResponse is two
// words and fits a Responder's inline storage: no allocation per request.
// Loop thread only, so the count needs no atomics.
struct HttpConnection::ResponderTarget {
  HttpConnection* connection;
  std::size_t references = 1;  // the connection's own

  static ResponderTarget* Acquire(ResponderTarget* target) {
    ++target->references;
    return target;
  }
  static void Release(ResponderTarget* target) {
    if (--target->references == 0) delete target;
  }
};

// The callable behind a Responder. Holds the target cell, never the
// connection itself, so it may outlive the connection harmlessly.
class HttpConnection::PendingResponse {
 public:
  PendingResponse(ResponderTarget* target, std::uint64_t sequence)
      : target_(ResponderTarget::Acquire(target)), sequence_(sequence) {}
  PendingResponse(PendingResponse&& other) noexcept
      : target_(std::exchange(other.target_, nullptr)), sequence_(other.sequence_) {}
  PendingResponse& operator=(PendingResponse&&) = delete;

  ~PendingResponse() {
    if (target_ == nullptr) return;
    // A handler that drops its responder unanswered would stall every later
    // response on the connection forever; answer 500 instead.
    if (target_->connection != nullptr) {
      target_->connection->Complete(sequence_,
                                    MakeErrorResponse(500, "the handler dropped the request"));
    }
    ResponderTarget::Release(target_);
  }

  void operator()(HttpResponse response) && {
    ResponderTarget* target = std::exchange(target_, nullptr);
    if (target == nullptr) return;
    if (target->connection != nullptr) {
      target->connection->Complete(sequence_, std::move(response));
    }
    ResponderTarget::Release(target);
  }

 private:
  ResponderTarget* target_;
  std::uint64_t sequence_;
};

struct HttpConnection::Slot {
  std::uint64_t sequence = 0;
  bool ready = false;
  bool head_request = false;
  bool http_1_0 = false;
  HttpResponse response;
};

struct HttpConnection::WriteRequest {
  uv_write_t req;
  HttpConnection* connection = nullptr;
  std::vector<OutChunk> chunks;  // kept alive until the write completes
  std::size_t bytes = 0;         // queued in libuv (what uv_try_write did not take)
};

HttpConnection::HttpConnection(uv_loop_t* loop, HttpConnectionShared* shared)
    : shared_(shared),
      parser_(shared->limits.max_header_bytes, shared->limits.max_body_bytes, this),
      target_(new ResponderTarget{this}) {
  LOGBOOK_CHECK(uv_tcp_init(loop, &tcp_) == 0);
  LOGBOOK_CHECK(uv_timer_init(loop, &header_timer_) == 0);
  LOGBOOK_CHECK(uv_timer_init(loop, &idle_timer_) == 0);
  LOGBOOK_CHECK(uv_timer_init(loop, &resume_timer_) == 0);
  tcp_.data = this;
  header_timer_.data = this;
  idle_timer_.data = this;
  resume_timer_.data = this;
  shutdown_req_.data = this;
}

HttpConnection::~HttpConnection() {
  target_->connection = nullptr;
  ResponderTarget::Release(target_);
}

bool HttpConnection::Start(uv_stream_t* listener) {
  if (uv_accept(listener, stream()) != 0) {
    Close();
    return false;
  }
  // Responses go out whole; Nagle would only hold back pipelined ones.
  uv_tcp_nodelay(&tcp_, 1);
  remote_ = PeerName(&tcp_);
  StartHeadDeadline();
  UpdateReading();
  UpdateIdleTimer();  // the only deadline for a silent peer if the header one is off
  return !closing_;
}

void HttpConnection::Drain() {
  if (closing_ || lingering_) return;
  if (!stop_parsing_) {
    stop_parsing_ = true;
    pending_input_.clear();
    uv_timer_stop(&header_timer_);
  }
  AfterProgress();
}

void HttpConnection::Close() {
  if (closing_) return;
  closing_ = true;
  target_->connection = nullptr;
  reading_ = false;
  // Closing the stream cancels pending writes and the shutdown request;
  // their callbacks run (with UV_ECANCELED) before ours.
  for (uv_handle_t* handle :
       {reinterpret_cast<uv_handle_t*>(&tcp_), reinterpret_cast<uv_handle_t*>(&header_timer_),
        reinterpret_cast<uv_handle_t*>(&idle_timer_),
        reinterpret_cast<uv_handle_t*>(&resume_timer_)}) {
    ++open_handles_;
    uv_close(handle, &HttpConnection::OnHandleClosed);
  }
}

void HttpConnection::OnHandleClosed(uv_handle_t* handle) {
  auto* self = static_cast<HttpConnection*>(handle->data);
  if (--self->open_handles_ > 0) return;
  // Frees `self`; nothing may touch it afterwards.
  self->shared_->on_closed(self);
}

bool HttpConnection::Backpressured() const {
  std::size_t max_pending = std::max<std::size_t>(1, shared_->limits.max_pipelined_requests);
  return queue_.size() >= max_pending || unsent_bytes_ > shared_->limits.max_unsent_bytes;
}

// --- parser events ---------------------------------------------------------

void HttpConnection::OnRequestBegin() {
  // The first request's deadline has been running since accept.
  if (!first_request_) StartHeadDeadline();
  first_request_ = false;
  idle_deadline_on_ = false;
}

void HttpConnection::StartHeadDeadline() {
  if (shared_->limits.header_timeout_ms <= 0) return;
  head_deadline_on_ = true;
  head_since_ms_ = uv_now(header_timer_.loop);
  ArmUnlessRunning(&header_timer_, &HttpConnection::OnHeaderTimeout,
                   shared_->limits.header_timeout_ms);
}

void HttpConnection::OnRequestHead(const HttpRequest& request) {
  head_deadline_on_ = false;  // the armed timer finds it off and lapses
  // A client waiting for "100 Continue" before sending its body would stall
  // for its own timeout otherwise. Sent only when nothing else is queued:
  // it must not overtake an earlier response.
  if (!parser_.http_1_0() && queue_.empty() && unsent_bytes_ == 0 &&
      EqualsIgnoreCase(request.Header("Expect"), "100-continue")) {
    SubmitWrite({OutChunk{std::string(kContinue), {}}});
  }
}

bool HttpConnection::OnRequest(HttpRequest& request) {
  Slot slot;
  slot.sequence = next_sequence_++;
  slot.head_request = request.method == "HEAD";
  slot.http_1_0 = parser_.http_1_0();
  std::uint64_t sequence = slot.sequence;
  queue_.push_back(std::move(slot));
  ++awaiting_handler_;
  ++shared_->stats.requests;
  // Decided before the handler runs: it may answer synchronously, and that
  // response must then carry "Connection: close".
  if (!request.keep_alive) stop_parsing_ = true;
  request.remote = remote_;
  static_assert(sizeof(PendingResponse) <= 2 * sizeof(void*),
                "a Responder stores a PendingResponse inline only up to two words");
  shared_->handler(std::move(request), Responder(PendingResponse(target_, sequence)));
  return !stop_parsing_ && !closing_ && !Backpressured();
}

void HttpConnection::OnParseError(int status, std::string detail) { Fail(status, detail); }

void HttpConnection::FeedParser(const char* data, std::size_t size) {
  std::size_t used = parser_.Feed(std::string_view(data, size));
  switch (parser_.state()) {
    case HttpRequestParser::State::kReady:
      break;
    case HttpRequestParser::State::kPaused:
      // Copied: `data` may be the shared read buffer, reused by the next
      // read on any connection.
      if (!stop_parsing_ && !closing_) pending_input_.assign(data + used, size - used);
      break;
    case HttpRequestParser::State::kStopped:
    case HttpRequestParser::State::kFailed:
      stop_parsing_ = true;  // the rest is not ours to parse
      break;
  }
}

// --- responses -------------------------------------------------------------

void HttpConnection::Complete(std::uint64_t sequence, HttpResponse response) {
  if (closing_ || queue_.empty() || sequence < queue_.front().sequence) return;
  std::size_t index = sequence - queue_.front().sequence;
  if (index >= queue_.size() || queue_[index].ready) return;
  Slot& slot = queue_[index];
  slot.ready = true;
  --awaiting_handler_;
  // A 1xx as the final answer would leave the client waiting for another.
  if (response.status < 200 || response.status > 599) {
    response =
        MakeErrorResponse(500, absl::StrCat("the handler answered with status ", response.status));
  }
  slot.response = std::move(response);
  Flush();
}

void HttpConnection::Fail(int status, std::string_view detail) {
  if (closing_ || lingering_) return;
  stop_parsing_ = true;
  pending_input_.clear();
  uv_timer_stop(&header_timer_);
  if (shared_->on_error) shared_->on_error(status, detail, remote_);
  Slot slot;
  slot.sequence = next_sequence_++;
  slot.ready = true;
  slot.response = MakeErrorResponse(status, detail);
  queue_.push_back(std::move(slot));
  Flush();
}

bool HttpConnection::FlushSmall() {
  // Bodies up to this size are cheaper to copy than to queue as chunks.
  constexpr std::size_t kSmallBody = 4096;
  for (const Slot& slot : queue_) {
    if (!slot.ready) break;
    if (slot.response.BodySize() > kSmallBody) return false;
  }
  out_.clear();
  while (!queue_.empty() && queue_.front().ready) {
    Slot& slot = queue_.front();
    const bool last = stop_parsing_ && queue_.size() == 1;
    ResponseFraming framing;
    framing.close = last;
    framing.keep_alive_header = slot.http_1_0 && !last;
    framing.head_request = slot.head_request;
    framing.date = shared_->date.Now();
    AppendResponseHead(slot.response, framing, &out_);
    if (ResponseHasBody(slot.response.status, slot.head_request)) {
      if (slot.response.shared_body) {
        slot.response.shared_body.AppendTo(&out_);
      } else {
        out_.append(slot.response.body);
      }
    }
    queue_.pop_front();
    if (last) finishing_ = true;
  }
  if (out_.empty()) return true;
  if (unsent_bytes_ == 0) {
    uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned>(out_.size()));
    const int n = uv_try_write(stream(), &buf, 1);
    if (n == static_cast<int>(out_.size())) {
      shared_->stats.bytes_out += out_.size();
      // Kept for the next replies unless a burst of pipelined ones grew it.
      if (out_.capacity() > 64 * 1024) out_ = std::string();
      return true;
    }
    if (n < 0 && n != UV_EAGAIN) {
      Close();  // as a failed uv_write would, from its callback
      return true;
    }
    if (n > 0) {
      shared_->stats.bytes_out += static_cast<std::size_t>(n);
      out_.erase(0, static_cast<std::size_t>(n));
    }
  }
  // The kernel is behind: queue the rest (rare; this allocates).
  std::vector<OutChunk> chunks;
  chunks.push_back(OutChunk{std::move(out_), {}});
  out_ = std::string();
  SubmitWrite(std::move(chunks));
  return true;
}

void HttpConnection::Flush() {
  if (closing_ || lingering_) return;
  if (FlushSmall()) {
    AfterProgress();
    return;
  }
  std::vector<OutChunk> chunks;
  while (!queue_.empty() && queue_.front().ready) {
    Slot slot = std::move(queue_.front());
    queue_.pop_front();
    bool last = stop_parsing_ && queue_.empty();
    ResponseFraming framing;
    framing.close = last;
    framing.keep_alive_header = slot.http_1_0 && !last;
    framing.head_request = slot.head_request;
    framing.date = shared_->date.Now();
    chunks.push_back(OutChunk{SerializeResponseHead(slot.response, framing), {}});
    if (ResponseHasBody(slot.response.status, slot.head_request) && slot.response.BodySize() > 0) {
      if (slot.response.shared_body) {
        chunks.push_back(OutChunk{{}, std::move(slot.response.shared_body)});
      } else {
        chunks.push_back(OutChunk{std::move(slot.response.body), {}});
      }
    }
    if (last) finishing_ = true;
  }
  if (!chunks.empty()) SubmitWrite(std::move(chunks));
  AfterProgress();
}

namespace {
// libuv takes char* but never writes through a write request's buffers.
uv_buf_t WriteBuf(std::string_view bytes) {
  return uv_buf_init(const_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
}
// The kernel's limit on iovecs per writev (IOV_MAX on Linux).
constexpr std::size_t kMaxIovecs = 1024;
}  // namespace

HttpConnection::OutBuffers HttpConnection::BuffersOf(const std::vector<OutChunk>& chunks) {
  OutBuffers out;
  std::size_t count = 0;
  for (const OutChunk& chunk : chunks) count += chunk.shared ? chunk.shared.slice_count() : 1;
  out.bufs.reserve(count);
  out.fds.reserve(count);
  for (const OutChunk& chunk : chunks) {
    if (!chunk.shared) {
      out.bufs.push_back(WriteBuf(chunk.owned));
      out.fds.push_back(-1);
      out.total += chunk.owned.size();
      continue;
    }
    const int fd = chunk.shared.fd();  // a file-backed body is one slice
    chunk.shared.ForEachSlice([&out, fd](std::string_view slice) {
      out.bufs.push_back(WriteBuf(slice));
      out.fds.push_back(fd);
    });
    out.total += chunk.shared.size();
  }
  return out;
}

void HttpConnection::SubmitWrite(std::vector<OutChunk> chunks) {
  if (closing_) return;
  // uv_try_write and uv_write copy the iovec array itself.
  OutBuffers out = BuffersOf(chunks);
  // Most responses fit the socket buffer: hand them to the kernel now. A
  // queued uv_write costs an extra loop pass for its callback and, once the
  // queue drains, an epoll_ctl per response (libuv re-arms the watcher).
  // Only with nothing queued, so bytes never overtake earlier ones.
  std::size_t written = 0;
  if (unsent_bytes_ == 0) {
    const std::int64_t n = WriteNow(out);
    if (n < 0) {
      Close();  // as a failed uv_write would, from its callback
      return;
    }
    written = static_cast<std::size_t>(n);
  }
  shared_->stats.bytes_out += written;
  if (written == out.total) return;  // the caller runs AfterProgress

  // Queue the rest. The buffers are rebuilt after the move: a short
  // string's bytes live inside the string object and move with it. The
  // chunks already taken whole stay referenced until the write completes.
  auto write = std::make_unique<WriteRequest>();
  write->connection = this;
  write->bytes = out.total - written;
  write->chunks = std::move(chunks);
  out = BuffersOf(write->chunks);
  std::size_t first = 0;
  std::size_t skip = written;
  while (skip >= out.bufs[first].len) skip -= out.bufs[first++].len;
  out.bufs[first].base += skip;
  out.bufs[first].len -= skip;
  write->req.data = write.get();
  int rc = uv_write(&write->req, stream(), out.bufs.data() + first,
                    static_cast<unsigned>(out.bufs.size() - first), &HttpConnection::OnWriteDone);
  if (rc != 0) {
    Close();
    return;
  }
  unsent_bytes_ += write->bytes;
  write.release();  // OnWriteDone owns it now
}

std::int64_t HttpConnection::WriteNow(const OutBuffers& out) {
  uv_os_fd_t socket_fd = -1;
  // Without the socket's descriptor (never expected), libuv writes the
  // memory buffers and uv_write the files' bytes from their mappings.
  const bool can_sendfile = uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &socket_fd) == 0;
  const auto is_file = [&](std::size_t i) { return can_sendfile && out.fds[i] >= 0; };
  const std::size_t count = out.bufs.size();
  std::size_t written = 0;
  std::size_t i = 0;
  while (i < count) {
    if (is_file(i)) {
      const std::size_t size = out.bufs[i].len;
      off_t offset = 0;
      while (static_cast<std::size_t>(offset) < size) {
        const ssize_t n =
            ::sendfile(socket_fd, out.fds[i], &offset, size - static_cast<std::size_t>(offset));
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return -1;
        break;  // the socket buffer is full (or the file came up short: uv_write sends the rest)
      }
      written += static_cast<std::size_t>(offset);
      if (static_cast<std::size_t>(offset) < size) return static_cast<std::int64_t>(written);
      ++i;
      continue;
    }
    // A run of memory buffers: one writev.
    std::size_t end = i;
    std::size_t run_bytes = 0;
    while (end < count && !is_file(end) && end - i < kMaxIovecs) run_bytes += out.bufs[end++].len;
    msghdr message{};
    // uv_buf_t is laid out as struct iovec on Unix (libuv's promise).
    message.msg_iov = reinterpret_cast<iovec*>(const_cast<uv_buf_t*>(out.bufs.data() + i));
    message.msg_iovlen = end - i;
    // More follows (a response head before its body, or the next run of a
    // long body): MSG_MORE holds the bytes back so they leave in full
    // segments together.
    const int more = end < count ? MSG_MORE : 0;
    ssize_t n = 0;
    if (can_sendfile) {
      do {
        n = ::sendmsg(socket_fd, &message, more | MSG_DONTWAIT | MSG_NOSIGNAL);
      } while (n < 0 && errno == EINTR);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return static_cast<std::int64_t>(written);
      }
      if (n < 0) return -1;
    } else {
      n = uv_try_write(stream(), out.bufs.data() + i, static_cast<unsigned>(end - i));
      if (n == UV_EAGAIN) return static_cast<std::int64_t>(written);
      if (n < 0) return -1;
    }
    written += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < run_bytes) return static_cast<std::int64_t>(written);
    i = end;
  }
  return static_cast<std::int64_t>(written);
}

void HttpConnection::OnWriteDone(uv_write_t* req, int status) {
  std::unique_ptr<WriteRequest> write(static_cast<WriteRequest*>(req->data));
  HttpConnection* self = write->connection;
  self->unsent_bytes_ -= write->bytes;
  if (status != 0) {
    self->Close();  // a no-op for UV_ECANCELED during Close()
    return;
  }
  self->shared_->stats.bytes_out += write->bytes;
  self->AfterProgress();
}

// --- connection state ------------------------------------------------------

void HttpConnection::AfterProgress() {
  MaybeFinish();
  if (closing_ || lingering_) return;
  UpdateReading();
  UpdateIdleTimer();
}

void HttpConnection::MaybeFinish() {
  if (closing_ || lingering_ || in_feed_) return;
  if (!stop_parsing_ || !queue_.empty() || unsent_bytes_ > 0) return;
  if (finishing_ && !peer_eof_) {
    StartLingeringClose();
  } else {
    Close();
  }
}

void HttpConnection::UpdateReading() {
  // During a feed the parser itself decides whether to go on; the caller
  // re-evaluates when it returns.
  if (closing_ || lingering_ || in_feed_) return;
  bool can_parse = !stop_parsing_ && !Backpressured();
  if (can_parse && !pending_input_.empty() &&
      !uv_is_active(reinterpret_cast<uv_handle_t*>(&resume_timer_))) {
    uv_timer_start(&resume_timer_, &HttpConnection::OnResume, 0, 0);
  }
  bool want = can_parse && !peer_eof_ && pending_input_.empty();
  if (want && !reading_) {
    if (uv_read_start(stream(), &HttpConnection::OnAlloc, &HttpConnection::OnRead) != 0) {
      Close();
      return;
    }
    reading_ = true;
  } else if (!want && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void HttpConnection::UpdateIdleTimer() {
  if (closing_ || lingering_ || shared_->limits.idle_timeout_ms <= 0) return;
  // While only the handler is busy there is no deadline here: the handler
  // bounds its own work (long polls, durable writes).
  bool waiting_on_handler = awaiting_handler_ > 0 && unsent_bytes_ == 0;
  bool head_in_progress = !stop_parsing_ && parser_.in_head();
  if (waiting_on_handler || head_in_progress) {
    idle_deadline_on_ = false;  // the armed timer finds it off and lapses
    return;
  }
  // Moved on every read and write: it measures inactivity.
  idle_deadline_on_ = true;
  idle_since_ms_ = uv_now(idle_timer_.loop);
  ArmUnlessRunning(&idle_timer_, &HttpConnection::OnIdleTimeout, shared_->limits.idle_timeout_ms);
}

void HttpConnection::OnPeerEof() {
  peer_eof_ = true;
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  // A request cut short by EOF can never complete; those already complete
  // are still answered (the peer may only have half-closed).
  if (!stop_parsing_) {
    stop_parsing_ = true;
    pending_input_.clear();
    uv_timer_stop(&header_timer_);
  }
  AfterProgress();
}

void HttpConnection::StartLingeringClose() {
  lingering_ = true;
  head_deadline_on_ = false;
  uv_timer_stop(&idle_timer_);
  uv_timer_stop(&header_timer_);
  if (uv_shutdown(&shutdown_req_, stream(), &HttpConnection::OnShutdownDone) != 0) {
    Close();
  }
}

void HttpConnection::OnShutdownDone(uv_shutdown_t* req, int status) {
  auto* self = static_cast<HttpConnection*>(req->data);
  if (self->closing_) return;
  if (status != 0) {
    self->Close();
    return;
  }
  uv_timer_start(&self->header_timer_, &HttpConnection::OnHeaderTimeout, kLingerMs, 0);
  if (!self->reading_) {
    if (uv_read_start(self->stream(), &HttpConnection::OnAlloc, &HttpConnection::OnRead) != 0) {
      self->Close();
      return;
    }
    self->reading_ = true;
  }
}

// --- libuv callbacks -------------------------------------------------------

void HttpConnection::OnAlloc(uv_handle_t* handle, std::size_t /*suggested*/, uv_buf_t* buf) {
  auto* self = static_cast<HttpConnection*>(handle->data);
  std::vector<char>& buffer = self->shared_->read_buffer;
  *buf = uv_buf_init(buffer.data(), static_cast<unsigned>(buffer.size()));
}

void HttpConnection::OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<HttpConnection*>(stream->data);
  if (nread == 0 || self->closing_) return;
  if (nread < 0) {
    if (nread == UV_EOF && !self->lingering_) {
      self->OnPeerEof();
    } else {
      self->Close();  // reset, or the lingering peer finally closed
    }
    return;
  }
  self->shared_->stats.bytes_in += static_cast<std::uint64_t>(nread);
  if (self->lingering_ || self->stop_parsing_) return;  // discarded
  self->in_feed_ = true;
  self->FeedParser(buf->base, static_cast<std::size_t>(nread));
  self->in_feed_ = false;
  self->AfterProgress();
}

void HttpConnection::OnResume(uv_timer_t* timer) {
  auto* self = static_cast<HttpConnection*>(timer->data);
  if (self->closing_ || self->lingering_) return;
  self->in_feed_ = true;
  while (!self->stop_parsing_ && !self->closing_ && !self->pending_input_.empty() &&
         !self->Backpressured()) {
    std::string input = std::move(self->pending_input_);
    self->pending_input_.clear();
    self->FeedParser(input.data(), input.size());
  }
  self->in_feed_ = false;
  self->AfterProgress();
}

void HttpConnection::OnHeaderTimeout(uv_timer_t* timer) {
  auto* self = static_cast<HttpConnection*>(timer->data);
  if (self->closing_) return;
  if (self->lingering_) {
    self->Close();
    return;
  }
  if (self->stop_parsing_) return;
  // Off: the next request's start arms the timer again.
  if (!self->head_deadline_on_) return;
  if (!DeadlinePassedElseRearm(timer, &HttpConnection::OnHeaderTimeout,
                               self->shared_->limits.header_timeout_ms, self->head_since_ms_)) {
    return;
  }
  if (self->parser_.in_head()) {
    self->Fail(408, absl::StrCat("request head not received within ",
                                 self->shared_->limits.header_timeout_ms, " ms"));
    return;
  }
  // Accepted but silent: nobody is waiting for an answer.
  if (self->queue_.empty() && self->unsent_bytes_ == 0) self->Close();
}

void HttpConnection::OnIdleTimeout(uv_timer_t* timer) {
  auto* self = static_cast<HttpConnection*>(timer->data);
  if (self->closing_ || self->lingering_) return;
  // Off: UpdateIdleTimer() starts the timer again when a deadline applies.
  if (!self->idle_deadline_on_) return;
  if (!DeadlinePassedElseRearm(timer, &HttpConnection::OnIdleTimeout,
                               self->shared_->limits.idle_timeout_ms, self->idle_since_ms_)) {
    return;
  }
  if (!self->stop_parsing_ && self->parser_.in_body()) {
    self->Fail(408, absl::StrCat("request body stalled for ", self->shared_->limits.idle_timeout_ms,
                                 " ms"));
    return;
  }
  // Idle keep-alive, or a peer that stopped reading our responses.
  self->Close();
}

}  // namespace logbook::net
