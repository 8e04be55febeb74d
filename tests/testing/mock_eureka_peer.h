#pragma once
// A stand-in for a stock Eureka server's replication endpoint, for tests of
// Logbook's pushes (--eureka-peers): a small threaded HTTP/1.1 server on
// 127.0.0.1 that records every POST .../peerreplication/batch[/] and answers
// each item as Eureka's PeerReplicationResource would for its own registry
// (a set of known instances): Register → 200 (and known); Heartbeat,
// StatusUpdate, DeleteStatusOverride → 200 if known else 404; Cancel → 200
// and forgotten, or 404. Heartbeats of an id given to SetConflict() answer
// 409 with that instance as responseEntity.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace logbook::testing {

struct ReceivedBatch {
  std::string method;
  std::string target;
  std::string replication_header;  // x-netflix-discovery-replication, "" if absent
  std::string content_type;
  std::string body;
};

struct ReceivedItem {
  std::string action;
  std::string app_name;
  std::string id;
  std::string json;  // the item object, minified
  int answered = 0;  // the statusCode the mock gave it
};

class MockEurekaPeer {
 public:
  MockEurekaPeer() = default;
  ~MockEurekaPeer();
  MockEurekaPeer(const MockEurekaPeer&) = delete;
  MockEurekaPeer& operator=(const MockEurekaPeer&) = delete;

  // Listens on `port` (0: a free one); false if it cannot bind.
  bool Start(int port = 0);
  // Closes the listener and every connection (a dead peer). Start() again
  // on the same port revives it; what it recorded and knows is kept.
  void Stop();
  int port() const { return port_; }

  // While on, requests are read and recorded but never answered.
  void SetHang(bool hang) { hang_ = hang; }
  // The mock no longer knows instance `id` (as after a restart).
  void Forget(const std::string& id);
  void SetConflict(const std::string& id, std::string bare_instance_json);

  std::vector<ReceivedBatch> Batches() const;
  std::vector<ReceivedItem> Items() const;
  // Items with this action for this id.
  std::size_t Count(const std::string& action, const std::string& id) const;

 private:
  void AcceptLoop(int listen_fd, int wake_fd);
  void Serve(int fd, int wake_fd);
  // The response body for one batch, recording its items.
  std::string Answer(const std::string& body);

  int port_ = 0;
  std::atomic<bool> hang_{false};
  int wake_pipe_[2] = {-1, -1};
  int listen_fd_ = -1;
  std::thread acceptor_;

  mutable std::mutex mutex_;
  std::vector<std::thread> connections_;  // guarded by mutex_
  std::vector<ReceivedBatch> batches_;
  std::vector<ReceivedItem> items_;
  std::set<std::string> known_;
  std::map<std::string, std::string> conflicts_;
};

}  // namespace logbook::testing
