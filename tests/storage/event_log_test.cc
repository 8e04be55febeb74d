#include "storage/event_log.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/event_codec.h"
#include "storage/event_key.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using core::Event;
using core::Offset;
using testing::DurabilityRecorder;
using testing::FullRegisterEvent;
using testing::RenewEvent;
using testing::TempDir;

EventLogOptions Options(const std::string& dir, SyncPolicy sync = SyncPolicy::kAlways,
                        const std::string& node_id = "") {
  EventLogOptions options;
  options.data_dir = dir;
  options.sync = sync;
  options.node_id = node_id;
  return options;
}

std::unique_ptr<EventLog> OpenLog(const std::string& dir, DurabilityCallback callback,
                                  SyncPolicy sync = SyncPolicy::kAlways,
                                  const std::string& node_id = "") {
  absl::StatusOr<std::unique_ptr<EventLog>> log =
      EventLog::Open(Options(dir, sync, node_id), std::move(callback));
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

DurabilityCallback Ignore() {
  return [](Offset, absl::Status) {};
}

std::vector<Event> ReplayAll(EventLog& log, Offset from = 1) {
  std::vector<Event> events;
  const absl::Status status = log.Replay(from, [&](const Event& e) { events.push_back(e); });
  EXPECT_TRUE(status.ok()) << status;
  return events;
}

// Appends `events` one call each, returning them as the log filled them in.
std::vector<Event> AppendEach(EventLog& log, std::vector<Event> events) {
  for (Event& event : events) {
    absl::StatusOr<Offset> last = log.Append(std::span<Event>(&event, 1));
    EXPECT_TRUE(last.ok()) << last.status();
  }
  return events;
}

std::vector<Event> Renews(int count, core::TimestampMs start_ms = 1000) {
  std::vector<Event> events;
  for (int i = 0; i < count; ++i) {
    events.push_back(RenewEvent("APP", "i-" + std::to_string(i % 7), start_ms + i));
  }
  return events;
}

// A durability callback that holds the writer thread inside its first call
// until released: appends made meanwhile pile up, deterministically.
class GatedCallback {
 public:
  // Releases the writer when a test returns early on a failed assertion, so
  // the log's destructor (which joins the writer) cannot hang.
  class ReleaseOnExit {
   public:
    explicit ReleaseOnExit(GatedCallback& gate) : gate_(gate) {}
    ~ReleaseOnExit() { gate_.Release(); }

   private:
    GatedCallback& gate_;
  };

  DurabilityCallback Callback() {
    return [this](Offset durable, absl::Status status) {
      recorder_.Callback()(durable, status);
      absl::MutexLock lock(&mu_);
      if (first_call_) {
        first_call_ = false;
        entered_ = true;
        mu_.Await(absl::Condition(&released_));
      }
    };
  }
  bool WaitUntilHeld() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&entered_), absl::Seconds(30));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  DurabilityRecorder& recorder() { return recorder_; }

 private:
  DurabilityRecorder recorder_;
  absl::Mutex mu_;
  bool first_call_ ABSL_GUARDED_BY(mu_) = true;
  bool entered_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

TEST(EventLog, FreshLogIsEmpty) {
  TempDir temp;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->first_offset(), 1u);
  EXPECT_EQ(log->last_offset(), 0u);
  EXPECT_EQ(log->durable_offset(), 0u);
  EXPECT_TRUE(ReplayAll(*log).empty());
}

TEST(EventLog, AppendAndReplayRoundTripAcrossReopen) {
  TempDir temp;
  DurabilityRecorder recorder;
  std::vector<Event> appended = {FullRegisterEvent(), RenewEvent("ORDERS", "i-0abc", 5)};
  appended[0].origin_node.clear();
  Event cancel;
  cancel.type = core::EventType::kCancel;
  cancel.app = "ORDERS";
  cancel.instance_id = "i-0abc";
  appended.push_back(cancel);
  {
    std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback());
    ASSERT_NE(log, nullptr);
    log->Start();
    absl::StatusOr<Offset> last = log->Append(appended);
    ASSERT_TRUE(last.ok()) << last.status();
    EXPECT_EQ(*last, 3u);
    ASSERT_TRUE(recorder.WaitForDurable(3));
  }
  std::unique_ptr<EventLog> reopened = OpenLog(temp.path(), Ignore());
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->last_offset(), 3u);
  EXPECT_EQ(reopened->durable_offset(), 3u);
  EXPECT_EQ(ReplayAll(*reopened), appended);
}

TEST(EventLog, AppendAssignsOffsetsAndOriginOnlyWhenOriginIsEmpty) {
  TempDir temp;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore(), SyncPolicy::kAlways, "node-a");
  ASSERT_NE(log, nullptr);
  std::vector<Event> events = Renews(2);
  events[1].origin_node = "node-peer";
  events[1].origin_offset = 77;
  ASSERT_TRUE(log->Append(events).ok());
  EXPECT_EQ(events[0].offset, 1u);
  EXPECT_EQ(events[0].origin_node, "node-a");
  EXPECT_EQ(events[0].origin_offset, 1u);
  EXPECT_EQ(events[1].offset, 2u);
  EXPECT_EQ(events[1].origin_node, "node-peer");
  EXPECT_EQ(events[1].origin_offset, 77u);
}

TEST(EventLog, OffsetsAreDenseAndContinueAfterReopen) {
  TempDir temp;
  DurabilityRecorder recorder;
  {
    std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback());
    ASSERT_NE(log, nullptr);
    log->Start();
    std::vector<Event> first = Renews(3);
    EXPECT_EQ(*log->Append(first), 3u);
    std::vector<Event> second = Renews(2);
    EXPECT_EQ(*log->Append(second), 5u);
    EXPECT_EQ(second[0].offset, 4u);
    EXPECT_EQ(log->last_offset(), 5u);
    std::vector<Event> none;
    EXPECT_EQ(*log->Append(none), 5u);  // nothing to assign
    ASSERT_TRUE(recorder.WaitForDurable(5));
  }
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->first_offset(), 1u);
  EXPECT_EQ(log->last_offset(), 5u);
  log->Start();
  std::vector<Event> more = Renews(1);
  EXPECT_EQ(*log->Append(more), 6u);
  log->Stop();
  std::vector<Event> replayed = ReplayAll(*log);
  ASSERT_EQ(replayed.size(), 6u);
  for (std::size_t i = 0; i < replayed.size(); ++i) EXPECT_EQ(replayed[i].offset, i + 1);
}

TEST(EventLog, ReplayStartsAtTheGivenOffset) {
  TempDir temp;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  std::vector<Event> events = Renews(5);
  ASSERT_TRUE(log->Append(events).ok());
  log->Stop();
  std::vector<Event> tail = ReplayAll(*log, 3);
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0], events[2]);
  EXPECT_TRUE(ReplayAll(*log, 6).empty());  // just past the end: nothing yet
  auto ignore = [](const Event&) {};
  EXPECT_EQ(log->Replay(7, ignore).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(log->Replay(0, ignore).code(), absl::StatusCode::kInvalidArgument);
}

TEST(EventLog, DurabilityCallbackReportsIncreasingOffsetsUpToEverythingAppended) {
  TempDir temp;
  DurabilityRecorder recorder;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback());
  ASSERT_NE(log, nullptr);
  log->Start();
  AppendEach(*log, Renews(300));
  ASSERT_TRUE(recorder.WaitForDurable(300));
  const auto calls = recorder.calls();
  ASSERT_FALSE(calls.empty());
  Offset previous = 0;
  for (const auto& [durable, status] : calls) {
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_GT(durable, previous);
    previous = durable;
  }
  EXPECT_EQ(previous, 300u);
  EXPECT_EQ(log->durable_offset(), 300u);
  EXPECT_EQ(log->stats().events_written, 300u);
  EXPECT_EQ(log->stats().batches, calls.size());
}

TEST(EventLog, AppendsWhileTheWriterIsBusyShareOneGroupCommit) {
  TempDir temp;
  GatedCallback gate;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), gate.Callback());
  ASSERT_NE(log, nullptr);
  GatedCallback::ReleaseOnExit release_on_exit(gate);
  log->Start();
  AppendEach(*log, Renews(1));
  ASSERT_TRUE(gate.WaitUntilHeld());  // the writer is busy with batch 1
  AppendEach(*log, Renews(200));
  gate.Release();
  ASSERT_TRUE(gate.recorder().WaitForDurable(201));
  const EventLogStats stats = log->stats();
  EXPECT_EQ(stats.events_written, 201u);
  EXPECT_EQ(stats.batches, 2u);  // 201 appends, two WriteBatches
  EXPECT_EQ(stats.syncs, 2u);
  EXPECT_EQ(ReplayAll(*log).size(), 201u);
}

TEST(EventLog, SyncNoneIsDurableWithoutSyncing) {
  TempDir temp;
  DurabilityRecorder recorder;
  std::vector<Event> appended;
  {
    std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback(), SyncPolicy::kNone);
    ASSERT_NE(log, nullptr);
    log->Start();
    appended = AppendEach(*log, Renews(20));
    ASSERT_TRUE(recorder.WaitForDurable(20));
    EXPECT_EQ(log->stats().syncs, 0u);
    EXPECT_EQ(log->stats().events_written, 20u);
  }
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(ReplayAll(*log), appended);
}

// Bytes of RocksDB WAL files (*.log) in `dir`: what a crash now would leave
// for the next open to replay into the memtables.
std::uintmax_t LiveWalBytes(const std::string& dir) {
  std::uintmax_t total = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() != ".log") continue;
    const std::uintmax_t size = entry.file_size(error);
    if (!error) total += size;  // a file deleted meanwhile counts for nothing
  }
  return total;
}

// However much is written, the WAL left behind stays within kMaxWalBytes (and
// the batch that crossed it): RocksDB's recovery after a crash costs CPU per
// byte of WAL, so this is what bounds a restart after kill -9
// (docs/durability.md, "Restart after a crash"). Old WAL files go once the
// flushes the bound started have finished: polled, with a deadline.
TEST(EventLog, WalLeftForACrashStaysBounded) {
  TempDir temp;
  DurabilityRecorder recorder;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback(), SyncPolicy::kNone);
  ASSERT_NE(log, nullptr);
  log->Start();
  Event registration = FullRegisterEvent();
  registration.instance->metadata.insert_or_assign("pad", std::string(4096, 'p'));
  constexpr int kBatch = 16;
  // Each registration is written twice (`events` and `audit`): 3x the bound in all.
  const std::uint64_t batches = 3 * kMaxWalBytes / (2 * 4096 * kBatch) + 1;
  Offset last = 0;
  for (std::uint64_t b = 0; b < batches; ++b) {
    std::vector<Event> batch(kBatch, registration);
    absl::StatusOr<Offset> appended = log->Append(batch);
    ASSERT_TRUE(appended.ok()) << appended.status();
    last = *appended;
    // One RocksDB write per batch, as under a steady load: RocksDB checks the
    // bound before each write, and appends queued meanwhile would all go in
    // one group commit.
    ASSERT_TRUE(recorder.WaitForDurable(last));
  }
  const std::uintmax_t slack = 2 * 4096 * kBatch + (64 << 10);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::uintmax_t wal = LiveWalBytes(temp.path());
  // RocksDB enforces the bound when a write comes (a burst can outrun the
  // flushes it starts), so the load goes on, lightly, while this polls.
  while (wal > kMaxWalBytes + slack && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    Event renew = RenewEvent("ORDERS", "i-0abc", 1700000000300);
    absl::StatusOr<Offset> appended = log->Append(std::span<Event>(&renew, 1));
    ASSERT_TRUE(appended.ok()) << appended.status();
    ASSERT_TRUE(recorder.WaitForDurable(*appended));
    wal = LiveWalBytes(temp.path());
  }
  EXPECT_LE(wal, kMaxWalBytes + slack) << "after " << 3 * kMaxWalBytes << " bytes written";
}

TEST(EventLog, ReadReturnsOnlyDurableEventsAndRespectsMax) {
  TempDir temp;
  GatedCallback gate;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), gate.Callback());
  ASSERT_NE(log, nullptr);
  GatedCallback::ReleaseOnExit release_on_exit(gate);
  std::vector<Event> events = Renews(10);
  ASSERT_TRUE(log->Append(std::span<Event>(events).first(1)).ok());
  std::vector<Event> out;
  ASSERT_TRUE(log->Read(1, 100, &out).ok());
  EXPECT_TRUE(out.empty());  // appended, not yet written: not durable

  log->Start();
  ASSERT_TRUE(gate.WaitUntilHeld());  // offset 1 durable, the writer held
  ASSERT_TRUE(log->Append(std::span<Event>(events).subspan(1)).ok());
  EXPECT_EQ(log->last_offset(), 10u);
  ASSERT_TRUE(log->Read(1, 100, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], events[0]);

  gate.Release();
  ASSERT_TRUE(gate.recorder().WaitForDurable(10));
  // Read from another thread: it is safe off the loop.
  std::vector<Event> first_four, from_three, past_end, none;
  std::thread reader([&] {
    EXPECT_TRUE(log->Read(1, 4, &first_four).ok());
    EXPECT_TRUE(log->Read(3, 100, &from_three).ok());
    EXPECT_TRUE(log->Read(11, 5, &past_end).ok());
    EXPECT_TRUE(log->Read(1, 0, &none).ok());
  });
  reader.join();
  ASSERT_EQ(first_four.size(), 4u);
  EXPECT_EQ(first_four[3], events[3]);
  ASSERT_EQ(from_three.size(), 8u);
  EXPECT_EQ(from_three.front().offset, 3u);
  EXPECT_EQ(from_three.back(), events[9]);
  EXPECT_TRUE(past_end.empty());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(log->Read(0, 1, &none).code(), absl::StatusCode::kInvalidArgument);
}

TEST(EventLog, ReadRawVisitsTheStoredBytesOfDurableEventsUntilStopped) {
  TempDir temp;
  DurabilityRecorder recorder;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), recorder.Callback());
  ASSERT_NE(log, nullptr);
  log->Start();
  std::vector<Event> events = Renews(6);
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(recorder.WaitForDurable(6));
  std::vector<Event> decoded;
  ASSERT_TRUE(log->Read(1, 100, &decoded).ok());
  ASSERT_EQ(decoded.size(), 6u);
  std::vector<core::Offset> offsets;
  ASSERT_TRUE(log->ReadRaw(2, 100, [&](core::Offset offset, std::string_view value) {
                   // The stored value is the codec's encoding of the event.
                   std::string encoded;
                   EncodeEvent(decoded[offset - 1], &encoded);
                   EXPECT_EQ(value, encoded) << "offset " << offset;
                   offsets.push_back(offset);
                   return offsets.size() < 3;  // stop after three
                 }).ok());
  EXPECT_EQ(offsets, (std::vector<core::Offset>{2, 3, 4}));
  offsets.clear();
  ASSERT_TRUE(log->ReadRaw(5, 1, [&](core::Offset offset, std::string_view) {
                   offsets.push_back(offset);
                   return true;
                 }).ok());
  EXPECT_EQ(offsets, (std::vector<core::Offset>{5}));
  EXPECT_EQ(log->ReadRaw(0, 1, [](core::Offset, std::string_view) { return true; }).code(),
            absl::StatusCode::kInvalidArgument);
}

// What a replication read serves from ReadRaw: the origin, peeked from the
// stored bytes after the checksum.
TEST(EventLog, PeekOriginReadsTheOriginWithTheEnvelopeChecks) {
  const Event event = FullRegisterEvent();
  std::string bytes;
  EncodeEvent(event, &bytes);
  absl::StatusOr<core::EventOrigin> origin = PeekEventOrigin(bytes, event.offset);
  ASSERT_TRUE(origin.ok()) << origin.status();
  EXPECT_EQ(origin->node, event.origin_node);
  EXPECT_EQ(origin->offset, event.origin_offset);
  // Damage anywhere (here the last body byte) fails the checksum: never
  // served as if it were whole.
  std::string damaged = bytes;
  damaged[damaged.size() - 5] ^= 0x01;
  EXPECT_EQ(PeekEventOrigin(damaged, 7).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(PeekEventOrigin(std::string_view(bytes).substr(0, 3), 7).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(EventLog, SecondOpenFailsWhileTheFirstIsOpen) {
  TempDir temp;
  std::unique_ptr<EventLog> first = OpenLog(temp.path(), Ignore());
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<EventLog>> second = EventLog::Open(Options(temp.path()), Ignore());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(second.status().message(),
                        "data dir " + temp.path() + " is locked by another logbook process"))
      << second.status();
  first.reset();
  absl::StatusOr<std::unique_ptr<EventLog>> third = EventLog::Open(Options(temp.path()), Ignore());
  EXPECT_TRUE(third.ok()) << third.status();
}

// The cross-process case: a child process holds the fcntl lock on LOCK, the
// way a running logbook's RocksDB does. The child only makes system calls,
// which is all that is safe after fork() in a threaded process.
TEST(EventLog, DirLockedByAnotherProcessFailsUntilItExits) {
  TempDir temp;
  OpenLog(temp.path(), Ignore()).reset();  // creates the dir and its LOCK file
  const std::string lock_path = temp.Sub("LOCK");
  int ready[2];
  int hold[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(hold), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    ::close(hold[1]);
    const int fd = ::open(lock_path.c_str(), O_RDWR);
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    const char ok = (fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0) ? 'y' : 'n';
    if (::write(ready[1], &ok, 1) != 1) ::_exit(2);
    char byte;
    while (::read(hold[0], &byte, 1) > 0) {
    }  // until the parent closes the pipe
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(hold[0]);
  char ok = 'n';
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, 'y') << "the child could not lock " << lock_path;

  absl::StatusOr<std::unique_ptr<EventLog>> locked = EventLog::Open(Options(temp.path()), Ignore());
  EXPECT_EQ(locked.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(locked.status().message(),
                        "data dir " + temp.path() + " is locked by another logbook process"))
      << locked.status();

  ::close(hold[1]);
  int wait_status = 0;
  ASSERT_EQ(::waitpid(child, &wait_status, 0), child);
  ::close(ready[0]);
  EXPECT_NE(OpenLog(temp.path(), Ignore()), nullptr);
}

// Writes `value` at `offset` straight into the events column family, as
// damage on disk would look.
void OverwriteEvent(const std::string& dir, Offset offset, const std::string& value) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir);
  ASSERT_TRUE(db.ok()) << db.status();
  rocksdb::WriteOptions options;
  options.sync = true;
  ASSERT_TRUE((*db)->raw()->Put(options, (*db)->events(), EventKey(offset), value).ok());
}

void DeleteEvent(const std::string& dir, Offset offset) {
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir);
  ASSERT_TRUE(db.ok()) << db.status();
  rocksdb::WriteOptions options;
  options.sync = true;
  ASSERT_TRUE((*db)->raw()->Delete(options, (*db)->events(), EventKey(offset)).ok());
}

void WriteLog(const std::string& dir, int count) {
  std::unique_ptr<EventLog> log = OpenLog(dir, Ignore());
  ASSERT_NE(log, nullptr);
  std::vector<Event> events = Renews(count);
  ASSERT_TRUE(log->Append(events).ok());
  log->Stop();
  ASSERT_EQ(log->durable_offset(), static_cast<Offset>(count));
}

TEST(EventLog, CorruptedValueMakesReplayFailWithDataLossNamingTheOffset) {
  TempDir temp;
  WriteLog(temp.path(), 3);
  OverwriteEvent(temp.path(), 2, "garbage bytes, not an event");

  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  std::vector<Offset> applied;
  const absl::Status status =
      log->Replay(1, [&](const Event& event) { applied.push_back(event.offset); });
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "event at offset 2")) << status;
  EXPECT_EQ(applied, std::vector<Offset>{1});

  std::vector<Event> out;
  EXPECT_EQ(log->Read(1, 10, &out).code(), absl::StatusCode::kDataLoss);
}

TEST(EventLog, FlippedByteInStoredValueIsDataLoss) {
  TempDir temp;
  WriteLog(temp.path(), 2);
  std::string value;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(
        (*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->events(), EventKey(2), &value).ok());
  }
  value[value.size() / 2] ^= 0x01;
  OverwriteEvent(temp.path(), 2, value);
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  const absl::Status status = log->Replay(1, [](const Event&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "offset 2: checksum mismatch")) << status;
}

TEST(EventLog, GapInOffsetsMakesReplayFailWithMissingOffset) {
  TempDir temp;
  WriteLog(temp.path(), 4);
  DeleteEvent(temp.path(), 3);
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  const absl::Status status = log->Replay(1, [](const Event&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "missing offset 3")) << status;
}

TEST(EventLog, MissingLastEventsAreNoticedByReplayFromTheMiddle) {
  TempDir temp;
  WriteLog(temp.path(), 4);
  DeleteEvent(temp.path(), 2);
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  const absl::Status status = log->Replay(2, [](const Event&) {});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(status.message(), "missing offset 2")) << status;
}

TEST(EventLog, AppendAfterStopFailsAndAssignsNothing) {
  TempDir temp;
  std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
  ASSERT_NE(log, nullptr);
  log->Start();
  log->Stop();
  log->Stop();  // idempotent
  std::vector<Event> events = Renews(2);
  absl::StatusOr<Offset> last = log->Append(events);
  EXPECT_EQ(last.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(log->last_offset(), 0u);
  EXPECT_EQ(events[0].offset, core::kNoOffset);
  EXPECT_TRUE(events[0].origin_node.empty());
  EXPECT_EQ(events[0].origin_offset, core::kNoOffset);
}

TEST(EventLog, NodeIdIsGeneratedThenPersistsAndCanBeOverridden) {
  TempDir temp;
  std::string generated;
  {
    std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
    ASSERT_NE(log, nullptr);
    generated = log->node_id();
    EXPECT_TRUE(absl::StartsWith(generated, "node-")) << generated;
  }
  EXPECT_EQ(OpenLog(temp.path(), Ignore())->node_id(), generated);
  EXPECT_EQ(OpenLog(temp.path(), Ignore(), SyncPolicy::kAlways, "node-b")->node_id(), "node-b");
  EXPECT_EQ(OpenLog(temp.path(), Ignore())->node_id(), "node-b");  // the override is stored

  absl::StatusOr<std::unique_ptr<EventLog>> invalid =
      EventLog::Open(Options(temp.path(), SyncPolicy::kAlways, "bad\nid"), Ignore());
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EventLog, LogIdentityPersistsAcrossReopen) {
  TempDir temp;
  std::string identity;
  {
    std::unique_ptr<EventLog> log = OpenLog(temp.path(), Ignore());
    ASSERT_NE(log, nullptr);
    identity = log->log_identity();
    EXPECT_EQ(identity.size(), 32u);
  }
  EXPECT_EQ(OpenLog(temp.path(), Ignore())->log_identity(), identity);
  std::unique_ptr<EventLog> other = OpenLog(temp.Sub("other"), Ignore());
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->log_identity(), identity);
}

}  // namespace
}  // namespace logbook::storage
