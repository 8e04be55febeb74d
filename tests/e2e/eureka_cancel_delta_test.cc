// E3 cancel and E8 delta against the real binary, on both mounts:
// eureka-protocol.md §11 items 52–57, 59 and 69.
#include <cctype>
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class Cancel : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Cancel);

// Item 52.
TEST_P(Cancel, RemovesTheInstance) {
  const HttpResult result = Delete("/apps/ORDERS/o1");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(GetInstance("ORDERS", "o1").status, 404);
  const HttpResult apps = GetJson("/apps");
  ASSERT_EQ(apps.status, 200);
  EXPECT_EQ(CountInstance(Json(apps.body), "o1"), 0) << apps.body;
}

// Item 53.
TEST_P(Cancel, SecondCancelIsNotFound) {
  ASSERT_EQ(Delete("/apps/ORDERS/o1").status, 200);
  EXPECT_EQ(Delete("/apps/ORDERS/o1").status, 404);
}

// Item 54.
TEST_P(Cancel, LastInstanceTakesTheAppAway) {
  ASSERT_EQ(RegisterInstance(R("BILLING", "b1", "hb", "10.0.0.2")).status, 204);
  ASSERT_EQ(Delete("/apps/ORDERS/o1").status, 200);
  EXPECT_EQ(GetJson("/apps/ORDERS").status, 404);
  const HttpResult result = GetJson("/apps");
  ASSERT_EQ(result.status, 200);
  const Json apps(result.body);
  ASSERT_EQ(apps.SizeAt("/applications/application"), 1u) << result.body;
  EXPECT_EQ(apps.StringAt("/applications/application/0/name"), "BILLING");
}

// E3: cancel of an id never registered.
TEST_P(Cancel, UnknownInstanceIsNotFound) {
  EXPECT_EQ(Delete("/apps/ORDERS/never").status, 404);
}

bool IsDecimal(const std::optional<std::string>& text) {
  if (!text.has_value() || text->empty()) return false;
  for (const char c : *text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class Delta : public WithO1Test {
 protected:
  // The delta's entry for `id` and how many times it appears.
  struct Entry {
    int count = 0;
    std::optional<std::string> action;
  };
  Entry DeltaEntry(const std::string& app, const std::string& id) {
    const HttpResult result = GetJson("/apps/delta");
    EXPECT_EQ(result.status, 200);
    const Json delta(result.body);
    Entry entry;
    entry.count = CountInstance(delta, id);
    const std::string pointer = InstancePointer(delta, app, id);
    if (!pointer.empty()) entry.action = delta.StringAt(pointer + "/actionType");
    return entry;
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Delta);

// Item 55.
TEST_P(Delta, RegistrationIsAddedWithFullRegistryHash) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o2", "h2", "10.0.0.2")).status, 204);
  const HttpResult result = GetJson("/apps/delta");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json delta(result.body);
  const std::string o2 = InstancePointer(delta, "ORDERS", "o2");
  ASSERT_FALSE(o2.empty()) << result.body;
  EXPECT_EQ(delta.StringAt(o2 + "/actionType"), "ADDED");
  const HttpResult full = GetJson("/apps");
  EXPECT_EQ(delta.StringAt("/applications/apps__hashcode"),
            Json(full.body).StringAt("/applications/apps__hashcode"));
  EXPECT_EQ(delta.StringAt("/applications/apps__hashcode"), "UP_2_");
  EXPECT_TRUE(IsDecimal(delta.StringAt("/applications/versions__delta"))) << result.body;
}

// Item 56.
TEST_P(Delta, CancelledInstanceAppearsOnceAsDeleted) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o2", "h2", "10.0.0.2")).status, 204);
  ASSERT_EQ(Delete("/apps/ORDERS/o2").status, 200);
  const Entry entry = DeltaEntry("ORDERS", "o2");
  EXPECT_EQ(entry.count, 1);
  EXPECT_EQ(entry.action, "DELETED");
}

// Item 57.
TEST_P(Delta, OverriddenInstanceAppearsOnceAsModified) {
  ASSERT_EQ(RegisterInstance(R("ORDERS", "o3", "h3", "10.0.0.3")).status, 204);
  ASSERT_EQ(Put("/apps/ORDERS/o3/status?value=OUT_OF_SERVICE&lastDirtyTimestamp=1000").status,
            200);
  const Entry entry = DeltaEntry("ORDERS", "o3");
  EXPECT_EQ(entry.count, 1);
  EXPECT_EQ(entry.action, "MODIFIED");
}

// §1.3: the delta is gzipped on request like the full registry.
TEST_P(Delta, GzipWhenAcceptEncodingAsksForIt) {
  const HttpResult result = http().Get(
      B() + "/apps/delta", {{"Accept", "application/json"}, {"Accept-Encoding", "gzip"}});
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(result.Header("Content-Type"), "application/json");
  const Json delta(logbook::testing::Gunzip(result.body));
  ASSERT_TRUE(delta.ok());
  EXPECT_FALSE(InstancePointer(delta, "ORDERS", "o1").empty());
}

// §1.2: no Accept means XML for the delta too.
TEST_P(Delta, NoAcceptHeaderAnswersXml) {
  const HttpResult result = http().Get(B() + "/apps/delta");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(result.Header("Content-Type"), "application/xml");
  EXPECT_NE(result.body.find("<applications>"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("<actionType>ADDED</actionType>"), std::string::npos) << result.body;
}

class DeltaDisabled : public EurekaTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.disable-delta=true"};
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(DeltaDisabled);

// Item 59.
TEST_P(DeltaDisabled, DeltaIsForbidden) {
  EXPECT_EQ(GetJson("/apps/delta").status, 403);
  EXPECT_EQ(GetJson("/apps").status, 200);
}

// Eviction on a short clock: self-preservation off, a 1 s lease, a 200 ms
// eviction timer.
class Eviction : public EurekaTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.enable-self-preservation=false",
            "--set", "eureka.server.eviction-interval-timer-in-ms=200"};
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(Eviction);

// Item 69 (and 66 on a short lease).
TEST_P(Eviction, EvictedInstanceIsDeletedInDelta) {
  Registration registration = R("ORDERS", "e1", "he", "10.0.0.4");
  registration.duration_secs = 1;
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  Registration live = R("ORDERS", "live", "hl", "10.0.0.5");
  ASSERT_EQ(RegisterInstance(live).status, 204);

  const bool evicted = Await(
      [&] {
        const HttpResult result = GetJson("/apps/delta");
        const Json delta(result.body);
        const std::string pointer = InstancePointer(delta, "ORDERS", "e1");
        return !pointer.empty() && delta.StringAt(pointer + "/actionType") == "DELETED";
      },
      std::chrono::seconds(15));
  EXPECT_TRUE(evicted) << GetJson("/apps/delta").body;
  const HttpResult apps = GetJson("/apps");
  EXPECT_EQ(CountInstance(Json(apps.body), "e1"), 0) << apps.body;
  EXPECT_EQ(CountInstance(Json(apps.body), "live"), 1) << apps.body;
  // The log says why: an EVICT event for e1.
  const HttpResult events = Events(1, "types=EVICT&limit=1000");
  ASSERT_EQ(events.status, 200);
  const Json log(events.body);
  ASSERT_GE(log.SizeAt("/events").value_or(0), 1u) << events.body;
  EXPECT_EQ(log.StringAt("/events/0/type"), "EVICT");
  EXPECT_EQ(log.StringAt("/events/0/instance_id"), "e1");
  EXPECT_EQ(log.StringAt("/events/0/app"), "ORDERS");
  EXPECT_TRUE(log.Has("/events/0/reason")) << events.body;
}

// Expiry without eviction: self-preservation off (expiry enabled) but the
// default one-minute eviction timer.
class ExpiredLease : public EurekaTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.enable-self-preservation=false"};
  }
};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(ExpiredLease);

// §4.5 (quirk 10): entity reads hide an expired lease, listings keep it
// until it is evicted.
TEST_P(ExpiredLease, IsHiddenFromEntityReadsButStillListed) {
  Registration registration = R("ORDERS", "e1", "he", "10.0.0.4");
  registration.duration_secs = 1;
  ASSERT_EQ(RegisterInstance(registration).status, 204);
  EXPECT_TRUE(Await([&] { return GetInstance("ORDERS", "e1").status == 404; },
                    std::chrono::seconds(10)));
  EXPECT_EQ(GetJson("/instances/e1").status, 404);
  EXPECT_EQ(Put("/apps/ORDERS/e1/status?value=DOWN").status, 404);
  EXPECT_EQ(CountInstance(Json(GetJson("/apps").body), "e1"), 1);
  EXPECT_EQ(GetJson("/apps/ORDERS").status, 200);
  // A heartbeat brings it back.
  EXPECT_EQ(Put("/apps/ORDERS/e1").status, 200);
  EXPECT_EQ(GetInstance("ORDERS", "e1").status, 200);
}

// Self-preservation on (the default) with a lone instance: the threshold is
// never met, so an expired lease is not evicted (§6.4, item 68).
class SelfPreservation : public NodeTest {
 protected:
  std::vector<std::string> NodeArgs() const override {
    return {"--set", "eureka.server.eviction-interval-timer-in-ms=200"};
  }
};

TEST_F(SelfPreservation, LoneExpiredInstanceIsNotEvicted) {
  Registration registration = R("ORDERS", "e1", "he", "10.0.0.4");
  registration.duration_secs = 1;
  ASSERT_EQ(http().Request("POST", "/eureka/v2/apps/ORDERS", kJsonBody, registration.Json()).status,
            204);
  // One lease plus several eviction runs: the long-poll waits for an EVICT that must not come.
  const HttpResult events = Events(LastOffset() + 1, "types=EVICT&wait_ms=2000");
  ASSERT_EQ(events.status, 200);
  EXPECT_EQ(Json(events.body).SizeAt("/events"), 0u) << events.body;
  const HttpResult status = http().Get("/logbook/v1/status");
  EXPECT_EQ(Json(status.body).BoolAt("/self_preservation/lease_expiration_enabled"), false)
      << status.body;
  EXPECT_EQ(CountInstance(Json(http().Get("/eureka/v2/apps", kAcceptJson).body), "e1"), 1);
  // Still visible: with expiry disabled nothing counts as expired (§4.5).
  EXPECT_EQ(http().Get("/eureka/v2/apps/ORDERS/e1", kAcceptJson).status, 200);
}

}  // namespace
}  // namespace logbook::e2e
