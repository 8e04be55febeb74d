// Disk full, for real (docs/durability.md, "Disk full"): a node whose data
// dir sits on a small tmpfs is fed registrations until the filesystem is full.
// Writes must then answer 503 with a JSON reason while reads go on, nothing
// acknowledged may be lost or hidden, an unacknowledged write must not show,
// and once space returns (the ballast file is deleted) writes must succeed
// again without a restart, with offsets dense. A SIGKILL and restart must
// then serve every acknowledged write.
//
// Mounting needs root: the test skips (saying why) otherwise, and fails if it
// is root and the mount still fails.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

constexpr char kApp[] = "FILLER";

// A tmpfs mounted for the test's life; unmounted (lazily, so a leftover
// process cannot block it) by the destructor.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    ::mkdir(dir.c_str(), 0755);
    const std::string options = "size=" + size;
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the filesystem refuses (ENOSPC); returns bytes written.
std::int64_t FillWithBallast(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  const std::string chunk(64 * 1024, 'b');
  std::int64_t written = 0;
  for (std::size_t size = chunk.size(); size > 0;) {
    const ssize_t n = ::write(fd, chunk.data(), size);
    if (n > 0) {
      written += n;
    } else {
      size /= 2;  // the last pages: fill them with smaller writes
    }
  }
  ::close(fd);
  return written;
}

Registration Filler(int n) {
  Registration registration = R(kApp, "f" + std::to_string(n), "h" + std::to_string(n), "10.1.0.1");
  // Big enough that a few dozen fill what the ballast leaves.
  registration.metadata = {{"pad", std::string(4096, 'p')}, {"n", std::to_string(n)}};
  return registration;
}

HttpResult Register(HttpClient& http, int n) {
  return http.Request("POST", std::string("/eureka/v2/apps/") + kApp, kJsonBody,
                      Filler(n).Json());
}

// Every id in `acked` is served, and `absent` is not.
void ExpectServed(HttpClient& http, const std::vector<int>& acked, int absent) {
  for (const int n : acked) {
    const HttpResult got =
        http.Get(std::string("/eureka/v2/apps/") + kApp + "/f" + std::to_string(n), kAcceptJson);
    EXPECT_EQ(got.status, 200) << "acknowledged registration f" << n << " is not served";
    if (got.status == 200) {
      EXPECT_EQ(Json(got.body).StringAt("/instance/metadata/n"), std::to_string(n));
    }
  }
  if (absent >= 0) {
    const HttpResult got = http.Get(
        std::string("/eureka/v2/apps/") + kApp + "/f" + std::to_string(absent), kAcceptJson);
    EXPECT_EQ(got.status, 404) << "f" << absent << " was refused with 503 but is served";
  }
}

// A data dir on a 24 MiB tmpfs of its own, and a ballast file next to it.
class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
    mount_ = std::make_unique<TmpfsMount>(mount_dir_, "24m");
    ASSERT_TRUE(mount_->mounted())
        << "running as root, yet mount -t tmpfs failed: " << mount_->error();
  }

  TempDir scratch_;
  const std::string mount_dir_ = scratch_.path() + "/fs";
  const std::string data_dir = mount_dir_ + "/data";
  const std::string ballast = mount_dir_ + "/ballast";
  std::unique_ptr<TmpfsMount> mount_;
};

// Registrations until the disk fills: 503 for writes, reads of the durable
// state, writes again once space returns, dense offsets, and nothing
// acknowledged lost to a kill -9. Nodes run with `args`.
void DiskFullScenario(const std::string& data_dir, const std::string& ballast,
                      const std::vector<std::string>& args, bool snapshots_expected) {
  auto node = std::make_unique<NodeProcess>(data_dir, args);
  ASSERT_TRUE(node->Start()) << node->Output();
  auto http = std::make_unique<HttpClient>(node->port());

  std::vector<int> acked;
  int next = 0;
  for (; next < 5; ++next) {
    ASSERT_EQ(Register(*http, next).status, 204);
    acked.push_back(next);
  }

  // Fill the filesystem, then give back a little so the next writes fill
  // the rest through the node itself.
  ASSERT_GT(FillWithBallast(ballast), 0);
  const auto ballast_size = static_cast<off_t>(std::filesystem::file_size(ballast));
  ASSERT_EQ(::truncate(ballast.c_str(), std::max<off_t>(0, ballast_size - 256 * 1024)), 0);

  int refused = -1;
  HttpResult refusal;
  for (int attempts = 0; attempts < 2000 && refused < 0; ++attempts, ++next) {
    HttpResult result = Register(*http, next);
    if (result.status == 204) {
      acked.push_back(next);
    } else {
      ASSERT_EQ(result.status, 503) << result.body << "\n" << node->Output();
      refused = next;
      refusal = std::move(result);
    }
  }
  ASSERT_GE(refused, 0) << "the disk never filled";
  const Json refusal_json(refusal.body);
  EXPECT_TRUE(refusal_json.StringAt("/error").value_or("").starts_with("disk full")) << refusal.body;
  EXPECT_TRUE(refusal_json.Has("/detail")) << refusal.body;
  ++next;

  // Reads go on and show exactly the durable state.
  ExpectServed(*http, acked, refused);
  const HttpResult readyz = http->Get("/readyz");
  EXPECT_EQ(readyz.status, 503);
  EXPECT_TRUE(Json(readyz.body).StringAt("/error").value_or("").starts_with("disk full"))
      << readyz.body;
  EXPECT_EQ(Register(*http, next++).status, 503) << "writes accepted on a full disk";
  // The operator sees it in the status and in /metrics.
  const Json full_status(http->Get("/logbook/v1/status").body);
  EXPECT_EQ(full_status.BoolAt("/log/disk_full"), true);
  EXPECT_EQ(full_status.IntAt("/log/disk_full_episodes"), 1);
  const std::string full_metrics = http->Get("/metrics").body;
  EXPECT_NE(full_metrics.find("\nlogbook_log_disk_full 1\n"), std::string::npos) << full_metrics;
  EXPECT_NE(full_metrics.find("\nlogbook_log_disk_full_episodes_total 1\n"), std::string::npos);

  // Space returns: writes succeed again without a restart.
  ASSERT_EQ(::unlink(ballast.c_str()), 0);
  int resumed = -1;
  ASSERT_TRUE(Await(
      [&] {
        const int n = next++;
        const HttpResult result = Register(*http, n);
        if (result.status != 204) return false;
        resumed = n;
        return true;
      },
      std::chrono::seconds(10)))
      << "writes did not resume after the ballast was deleted\n" << node->Output();
  acked.push_back(resumed);
  for (int i = 0; i < 5; ++i, ++next) {
    ASSERT_EQ(Register(*http, next).status, 204);
    acked.push_back(next);
  }
  EXPECT_EQ(http->Get("/readyz").status, 200);
  ExpectServed(*http, acked, refused);
  const Json resumed_status(http->Get("/logbook/v1/status").body);
  EXPECT_EQ(resumed_status.BoolAt("/log/disk_full"), false);
  EXPECT_EQ(resumed_status.IntAt("/log/disk_full_episodes"), 1);
  if (snapshots_expected) {
    EXPECT_GT(resumed_status.IntAt("/snapshots/taken").value_or(0), 1) << node->Output();
  }
  EXPECT_NE(http->Get("/metrics").body.find("\nlogbook_log_disk_full 0\n"), std::string::npos);

  // Offsets stayed dense across the dropped batch: the change stream from 1
  // has every offset once, up to the end.
  const HttpResult status = http->Get("/logbook/v1/status");
  const std::int64_t last = Json(status.body).IntAt("/log/last_offset").value_or(-1);
  ASSERT_GT(last, 0) << status.body;
  std::int64_t expected = 1;
  while (expected <= last) {
    const HttpResult events =
        http->Get("/logbook/v1/events?from=" + std::to_string(expected) + "&limit=1000");
    ASSERT_EQ(events.status, 200) << events.body;
    const Json doc(events.body);
    const std::size_t count = doc.SizeAt("/events").value_or(0);
    ASSERT_GT(count, 0u) << events.body;
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(doc.IntAt("/events/" + std::to_string(i) + "/offset"), expected);
      ++expected;
    }
  }

  // A crash now loses nothing acknowledged.
  http.reset();
  ASSERT_EQ(node->Stop(SIGKILL), 128 + SIGKILL);
  node = std::make_unique<NodeProcess>(data_dir, args);
  ASSERT_TRUE(node->Start()) << node->Output();
  http = std::make_unique<HttpClient>(node->port());
  ExpectServed(*http, acked, refused);
}

TEST_F(DiskFull, WritesAnswer503ReadsGoOnAndWritesResumeWhenSpaceReturns) {
  DiskFullScenario(data_dir, ballast, {}, /*snapshots_expected=*/false);
}

// The same with a snapshot cut every few events, one instance per loop turn:
// cuts are in flight when the disk fills (their writes fail, or the registry
// is rolled back under them, which abandons them) and after it empties.
TEST_F(DiskFull, SnapshotCutsInFlightSurviveTheEpisode) {
  DiskFullScenario(data_dir, ballast,
                   {"--set", "logbook.snapshot.every-events=3", "--set",
                    "logbook.snapshot.test-only-slice-items=1"},
                   /*snapshots_expected=*/true);
}

// Renewals refused while the disk is full must not cost the instance its
// registration: once writes resume, the evictor grants every lease its
// duration again before it may evict (docs/durability.md, step 4). Without
// that grace, an instance whose lease ran out during the episode is evicted
// by the first eviction run (every 200 ms here) after space returns.
TEST_F(DiskFull, LeasesThatRanOutWhileRenewalsWereRefusedGetAFreshGrace) {
  NodeProcess node(data_dir,
                   {"--set", "eureka.server.enable-self-preservation=false", "--set",
                    "eureka.server.eviction-interval-timer-in-ms=200"});
  ASSERT_TRUE(node.Start()) << node.Output();
  HttpClient http(node.port());
  Registration watched = R("WATCHED", "w1", "hw", "10.2.0.1");
  watched.duration_secs = 2;
  ASSERT_EQ(http.Request("POST", "/eureka/v2/apps/WATCHED", kJsonBody, watched.Json()).status, 204);

  ASSERT_GT(FillWithBallast(ballast), 0);
  int next = 0;
  ASSERT_TRUE(Await([&] { return Register(http, next++).status == 503; },
                    std::chrono::seconds(20)))
      << "the disk never filled\n" << node.Output();

  // Longer than the lease (and the restart grace): w1's lease runs out while
  // its renewals are refused.
  const auto full_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3500);
  while (std::chrono::steady_clock::now() < full_until) {
    EXPECT_EQ(http.Request("PUT", "/eureka/v2/apps/WATCHED/w1").status, 503);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }

  ASSERT_EQ(::unlink(ballast.c_str()), 0);
  ASSERT_TRUE(Await([&] { return Register(http, next++).status == 204; },
                    std::chrono::seconds(10)))
      << "writes did not resume after the ballast was deleted\n" << node.Output();
  // Several eviction runs pass, all inside the 2 s grace.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  EXPECT_EQ(http.Request("PUT", "/eureka/v2/apps/WATCHED/w1").status, 200)
      << "w1 was evicted for renewals the node itself refused\n" << node.Output();
  EXPECT_EQ(http.Get("/eureka/v2/apps/WATCHED/w1", kAcceptJson).status, 200);
  const HttpResult evictions = http.Get("/logbook/v1/events?from=1&types=EVICT&limit=1000");
  ASSERT_EQ(evictions.status, 200) << evictions.body;
  EXPECT_EQ(Json(evictions.body).SizeAt("/events").value_or(0), 0u) << evictions.body;
}

}  // namespace
}  // namespace logbook::e2e
