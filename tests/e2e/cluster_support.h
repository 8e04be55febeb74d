#pragma once
// A cluster of real `logbook serve` processes on 127.0.0.1 that pull from
// each other (docs/replication.md): every node lists every other in --peers,
// so ports are chosen before any node starts, and a node restarted after a
// kill keeps its port, node id and (unless wiped) data dir.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {

// A port free right now on 127.0.0.1 (the kernel's choice for port 0). A
// node started on it moments later gets it unless another process raced
// for it, which ephemeral-port allocation makes unlikely.
inline int PickFreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

class Cluster {
 public:
  Cluster(int size, std::vector<std::string> extra_args = {})
      : extra_args_(std::move(extra_args)) {
    for (int i = 0; i < size; ++i) {
      ports_.push_back(PickFreePort());
      data_dirs_.push_back(absl::StrCat(dir_.path(), "/n", i));
    }
    processes_.resize(size);
  }

  int size() const { return static_cast<int>(ports_.size()); }
  int port(int i) const { return ports_[i]; }
  std::string node_id(int i) const { return absl::StrCat("n", i); }
  NodeProcess& process(int i) { return *processes_[i]; }

  // Node `from` reaches node `to` at `url` (e.g. through a proxy) from its
  // next Start() on.
  void SetPeerUrl(int from, int to, std::string url) { peer_urls_[{from, to}] = std::move(url); }
  // Node `i` gets `args` after the cluster's shared extra args from its next
  // Start() on.
  void SetNodeArgs(int i, std::vector<std::string> args) { node_args_[i] = std::move(args); }

  // Waits for the "listening" line and, with `await_ready`, for /readyz 200
  // (a node with a new data dir bootstraps from a peer first).
  bool Start(int i, bool await_ready = true) {
    std::string peers;
    for (int j = 0; j < size(); ++j) {
      if (j == i) continue;
      if (!peers.empty()) peers += ",";
      auto custom = peer_urls_.find({i, j});
      peers += custom != peer_urls_.end() ? custom->second
                                          : absl::StrCat("http://127.0.0.1:", ports_[j]);
    }
    std::vector<std::string> args = {"--port", std::to_string(ports_[i]), "--node-id",
                                     node_id(i), "--peers", peers};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    if (auto own = node_args_.find(i); own != node_args_.end()) {
      args.insert(args.end(), own->second.begin(), own->second.end());
    }
    processes_[i] = std::make_unique<NodeProcess>(data_dirs_[i], args);
    if (!processes_[i]->Start()) return false;
    return !await_ready || Ready(i, std::chrono::seconds(20));
  }
  bool Ready(int i, std::chrono::milliseconds timeout) {
    return Await([&] { return Get(i, "/readyz").status == 200; }, timeout);
  }
  bool StartAll() {
    for (int i = 0; i < size(); ++i) {
      if (!Start(i)) return false;
    }
    return true;
  }
  void Kill(int i) { processes_[i]->Stop(SIGKILL); }
  const std::string& data_dir(int i) const { return data_dirs_[i]; }
  // The next Start(i) gets an empty data dir: a new log identity.
  void Wipe(int i) { data_dirs_[i] = absl::StrCat(dir_.path(), "/n", i, "-", ++wipes_); }

  HttpResult Get(int i, const std::string& target, const Headers& headers = kAcceptJson) {
    HttpClient client(ports_[i]);
    return client.Get(target, headers);
  }
  HttpResult Request(int i, const std::string& method, const std::string& target,
                     const Headers& headers = {}, const std::string& body = "") {
    HttpClient client(ports_[i]);
    return client.Request(method, target, headers, body);
  }
  int Register(int i, const Registration& registration) {
    return Request(i, "POST", "/eureka/v2/apps/" + registration.app, kJsonBody,
                   registration.Json())
        .status;
  }
  std::string Apps(int i) { return Get(i, "/eureka/v2/apps").body; }
  std::int64_t InstanceCount(int i) {
    const HttpResult status = Get(i, "/logbook/v1/status");
    if (status.status != 200) return -1;
    return Json(status.body).IntAt("/registry/instances").value_or(-1);
  }

  // True once every running node serves the same full registry document.
  bool Converged(std::string* apps = nullptr) {
    std::string first;
    for (int i = 0; i < size(); ++i) {
      const HttpResult result = Get(i, "/eureka/v2/apps");
      if (result.status != 200) return false;
      if (i == 0) {
        first = result.body;
      } else if (result.body != first) {
        return false;
      }
    }
    if (apps != nullptr) *apps = first;
    return true;
  }

  // Every event of node i's log as (origin, origin_offset), in log order.
  std::vector<std::pair<std::string, std::int64_t>> Origins(int i) {
    std::vector<std::pair<std::string, std::int64_t>> origins;
    std::int64_t from = 1;
    for (;;) {
      const HttpResult result =
          Get(i, absl::StrCat("/logbook/v1/events?limit=1000&from=", from));
      if (result.status != 200) return origins;
      const Json page(result.body);
      const std::size_t count = page.SizeAt("/events").value_or(0);
      for (std::size_t k = 0; k < count; ++k) {
        const std::string base = absl::StrCat("/events/", k);
        origins.emplace_back(page.StringAt(base + "/origin").value_or(""),
                             page.IntAt(base + "/origin_offset").value_or(-1));
      }
      const std::int64_t next = page.IntAt("/next").value_or(from);
      if (count == 0 || next == from) return origins;
      from = next;
    }
  }

 private:
  TempDir dir_{ScratchParent()};
  std::vector<std::string> extra_args_;
  std::vector<int> ports_;
  std::vector<std::string> data_dirs_;
  std::vector<std::unique_ptr<NodeProcess>> processes_;
  std::map<std::pair<int, int>, std::string> peer_urls_;
  std::map<int, std::vector<std::string>> node_args_;
  int wipes_ = 0;
};

}  // namespace logbook::e2e
