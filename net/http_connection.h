#pragma once
// One accepted HTTP/1.1 connection: it owns the socket, the parser, the
// header-deadline and idle timers and the ordered queue of pipelined
// responses. Handlers only ever see an HttpRequest and a Responder.
//
// Thread: the loop thread only, including every Responder call.
#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "net/http_message.h"
#include "net/http_request_parser.h"
#include "net/http_response_writer.h"
#include "net/http_server.h"
#include "net/shared_body.h"

namespace logbook::net {

class HttpConnection;

// What all connections of one server share. Owned by the server, which
// outlives every connection it creates.
struct HttpConnectionShared {
  HttpLimits limits;
  HttpHandler handler;
  HttpServerStats stats;
  HttpDate date;
  // One read buffer for every connection: libuv allocates, reads and calls
  // the read callback back to back for one stream, and the parser copies
  // what it keeps, so nothing points into this buffer between reads.
  std::vector<char> read_buffer = std::vector<char>(64 * 1024);
  // Runs once all of a connection's handles have closed; frees it.
  absl::AnyInvocable<void(HttpConnection*)> on_closed;
  // Told of every error response the connection makes itself; may be empty.
  HttpErrorListener on_error;
};

class HttpConnection : private HttpRequestParser::Listener {
 public:
  // REQUIRES: `shared` outlives the connection.
  HttpConnection(uv_loop_t* loop, HttpConnectionShared* shared);
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Accepts the pending connection on `listener` and starts reading. False
  // if accept failed; the connection is then closing (on_closed follows).
  bool Start(uv_stream_t* listener);

  // Server shutdown: parse no further requests, answer the ones already
  // handed to the handler, then close. Closes at once when idle.
  void Drain();

  // Closes now, dropping unanswered requests; later Responder calls are
  // ignored. Idempotent. on_closed runs from a later loop callback.
  void Close();

 private:
  struct ResponderTarget;
  class PendingResponse;
  struct Slot;
  struct WriteRequest;
  // One piece of output: bytes the connection owns (a response head, a
  // handler's body) or a body shared with a cache, referenced, not copied.
  struct OutChunk {
    std::string owned;
    SharedBody shared;  // when set, the chunk's bytes; `owned` is empty
  };
  // The iovecs of `chunks`, in order, and for each the file holding exactly
  // its bytes (-1: memory only), for sendfile().
  struct OutBuffers {
    std::vector<uv_buf_t> bufs;
    std::vector<int> fds;
    std::size_t total = 0;
  };
  static OutBuffers BuffersOf(const std::vector<OutChunk>& chunks);

  // HttpRequestParser::Listener.
  void OnRequestBegin() override;
  void OnRequestHead(const HttpRequest& request) override;
  bool OnRequest(HttpRequest& request) override;
  void OnParseError(int status, std::string detail) override;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  bool Backpressured() const;

  void FeedParser(const char* data, std::size_t size);
  // A responder fired for request `sequence`.
  void Complete(std::uint64_t sequence, HttpResponse response);
  // Queues the error response after every earlier one; the connection
  // closes once it is written.
  void Fail(int status, std::string_view detail);
  // Writes every ready response at the front of the queue, in order.
  void Flush();
  void SubmitWrite(std::vector<OutChunk> chunks);
  // Hands `out` to the kernel now, in order, until it would block: memory
  // buffers with one writev per run (at most IOV_MAX each), file-backed ones
  // with sendfile. The bytes taken, or -1 after a socket error.
  std::int64_t WriteNow(const OutBuffers& out);
  // Flush() for responses small enough to copy: serialized into out_, whose
  // buffer is kept, and written at once when the kernel takes it all (the
  // usual case), so a steady stream of small replies does not allocate.
  // False, having done nothing, when a body is too large to copy.
  bool FlushSmall();
  // After any progress: close if finished, else re-evaluate reading and
  // the idle timer.
  void AfterProgress();
  void MaybeFinish();
  // Starts or stops reading, and schedules parsing of input held back by
  // back-pressure once it clears.
  void UpdateReading();
  void UpdateIdleTimer();
  // Runs the request-head deadline from now (when one is configured).
  void StartHeadDeadline();
  void OnPeerEof();
  // Half-closes, then reads and discards until the peer closes (bounded),
  // so that unread client bytes don't turn our close into a reset that
  // destroys the response still in flight.
  void StartLingeringClose();

  static void OnAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void OnWriteDone(uv_write_t* req, int status);
  static void OnShutdownDone(uv_shutdown_t* req, int status);
  static void OnHeaderTimeout(uv_timer_t* timer);
  static void OnIdleTimeout(uv_timer_t* timer);
  static void OnResume(uv_timer_t* timer);
  static void OnHandleClosed(uv_handle_t* handle);

  HttpConnectionShared* const shared_;
  uv_tcp_t tcp_;
  // Deadline for the current request head (from accept for the first one);
  // while lingering, the bound on the linger. Like the idle timer, not
  // restarted per request: a head's start moves head_since_ms_, its end turns
  // the deadline off, and the timer re-arms for the rest when it fires early.
  uv_timer_t header_timer_;
  bool head_deadline_on_ = false;
  std::uint64_t head_since_ms_ = 0;
  // Closes a connection with nothing in progress, a stalled body upload or
  // a peer that stops reading our responses. Not restarted on every read and
  // write (several timer-heap updates per request): progress moves
  // idle_since_ms_, and the timer, when it fires early, re-arms for the rest.
  uv_timer_t idle_timer_;
  // Whether the idle deadline runs (not while the handler or a request head
  // is pending), and the loop time it runs from.
  bool idle_deadline_on_ = false;
  std::uint64_t idle_since_ms_ = 0;
  // Zero-delay timer that parses held-back input on a later loop turn. The
  // parser (and so the handler) never runs inside a Responder call: a
  // handler answering a list of waiters must not find that list growing
  // under its feet.
  uv_timer_t resume_timer_;
  uv_shutdown_t shutdown_req_;
  std::string remote_;  // the peer, for HttpRequest::remote
  int open_handles_ = 0;

  HttpRequestParser parser_;
  // Responders point here, not at the connection: Close() clears it, so a
  // responder firing after the connection is gone finds nullptr.
  ResponderTarget* target_;  // counted: see ResponderTarget

  // Requests handed to the handler and connection-made errors, in request
  // order; popped as they are written.
  std::deque<Slot> queue_;
  std::uint64_t next_sequence_ = 0;
  std::size_t awaiting_handler_ = 0;
  std::size_t unsent_bytes_ = 0;
  // Bytes read but not parsed because back-pressure paused the parser.
  std::string pending_input_;
  // FlushSmall()'s output buffer.
  std::string out_;

  bool reading_ = false;
  bool in_feed_ = false;       // guards re-entry into the parser
  bool first_request_ = true;  // its header deadline runs from accept
  bool stop_parsing_ = false;  // no further requests will be parsed
  bool finishing_ = false;     // the final response has been written
  bool peer_eof_ = false;
  bool lingering_ = false;
  bool closing_ = false;
};

}  // namespace logbook::net
