#pragma once
// The Eureka REST endpoints E1–E16 (eureka-protocol.md §2): turns requests
// into commands, asks core to decide, commits the events and answers once
// they are durable. No domain rule lives here.
//
// Thread: loop thread only.
#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/decide.h"
#include "core/registry.h"
#include "core/self_preservation.h"
#include "net/eureka/content_negotiation.h"
#include "net/eureka/fragment_cache.h"
#include "net/eureka/response_cache.h"
#include "net/http_server.h"
#include "net/router.h"
#include "net/write_pipeline.h"

namespace logbook::net {

struct EurekaApiOptions {
  core::SelfPreservationOptions self_preservation;
  bool disable_delta = false;  // eureka.server.disable-delta
  bool sync_when_timestamp_differs = true;
  std::size_t max_body_bytes = 1048576;  // also bounds gunzipped request bodies
  std::vector<std::string> peer_urls;    // shown by GET /status
  std::string node_id;
  // The loop whose thread pool compresses big gzip bodies (response_cache.h);
  // null: compressed on the loop thread, as each is requested.
  uv_loop_t* compression_loop = nullptr;
  // Tests: runs on the pool thread before each pooled compression.
  std::function<void()> before_pooled_compression_for_test;
};

class EurekaApi {
 public:
  EurekaApi(core::Registry& registry, WritePipeline& pipeline, const core::Clock& clock,
            EurekaApiOptions options);

  void Handle(const Route& route, HttpRequest&& request, Responder responder);
  // The registry was rebuilt in place (a rollback to the durable log): its
  // version can repeat with different contents, so cached bodies go.
  void OnRegistryReplaced() {
    cache_.Clear();
    fragments_.Clear();
  }

  // §6.1 at now_ms.
  bool LeaseExpirationEnabled(core::TimestampMs now_ms) const;

 private:
  void GetApps(const HttpRequest& request, Responder responder);
  void GetDelta(const HttpRequest& request, Responder responder);
  void GetApp(const Route& route, const HttpRequest& request, Responder responder);
  void GetVip(const Route& route, const HttpRequest& request, Responder responder);
  void GetInstance(const core::InstanceRecord* record, const HttpRequest& request,
                   Responder responder);
  void Register(const Route& route, HttpRequest&& request, Responder responder);
  void Renew(const Route& route, const HttpRequest& request, Responder responder);
  void Cancel(const Route& route, const HttpRequest& request, Responder responder);
  void PutStatus(const Route& route, const HttpRequest& request, Responder responder);
  void DeleteStatus(const Route& route, const HttpRequest& request, Responder responder);
  void PutMetadata(const Route& route, const HttpRequest& request, Responder responder);
  void PeerReplicationBatch(HttpRequest&& request, Responder responder);
  void GetServerStatus(Responder responder);
  void GetStatusOverrides(Responder responder);

  core::DecideContext Context(const HttpRequest& request) const;
  // A live instance for E4/E5/E6/E10/E11: hidden when expired and expiry is on.
  const core::InstanceRecord* VisibleInstance(const core::InstanceRecord* record) const;
  // Commits the decision's events, then answers `ok_status` (empty body) or
  // the outcome's error once they are durable.
  void CommitAndReply(core::Decision decision, int ok_status, const HttpRequest& request,
                      Responder responder);
  // Sends `response` once every applied event is durable (reads after writes).
  void ReplyWhenDurable(HttpResponse response, Responder responder);
  // A cached read's body in the format and flavour the request asks for,
  // built by `build` when the cache has none for `version`: as parts, with
  // the previous version's unchanged ones handed back by the PartReuse.
  void ReplyCached(const HttpRequest& request, std::string key, std::uint64_t version,
                   absl::FunctionRef<eureka::DocumentParts(
                       eureka::WireFormat, eureka::PayloadFlavour, const eureka::PartReuse&)>
                       build,
                   Responder responder, std::uint64_t variant = 0);

  core::Registry& registry_;
  WritePipeline& pipeline_;
  const core::Clock& clock_;
  EurekaApiOptions options_;
  eureka::ResponseCache cache_;
  eureka::FragmentCache fragments_;     // encoded instances of the cached documents
  std::uint64_t encodes_at_trim_ = 0;   // fragments_.encodes() when the heap was last trimmed
  std::uint64_t delta_generation_ = 0;  // versions__delta
  core::TimestampMs started_at_ms_;
};

}  // namespace logbook::net
