// A refused request is an answer, not a change: whatever the reason (parse,
// validation, media type, unknown instance, bad parameter, HTTP limits),
// nothing reaches the log.
#include <string>

#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace logbook::e2e {
namespace {

class RejectedRequest : public WithO1Test {};
LOGBOOK_INSTANTIATE_ON_BOTH_MOUNTS(RejectedRequest);

TEST_P(RejectedRequest, WritesNoEvent) {
  const std::int64_t before = LastOffset();
  ASSERT_GE(before, 1);

  Registration no_host = R("ORDERS", "x1", "hx", "10.0.0.9");
  no_host.host_name.reset();
  Registration no_ip = R("ORDERS", "x1", "hx", "10.0.0.9");
  no_ip.ip_addr.reset();
  Registration no_data_center = R("ORDERS", "x1", "hx", "10.0.0.9");
  no_data_center.data_center_info = false;
  Registration control = R("ORDERS", std::string("x\x1f"), "hx", "10.0.0.9");

  struct Case {
    std::string what;
    HttpResult result;
    int expected;
  };
  std::vector<Case> cases;
  cases.push_back({"app mismatch", RegisterInstance(R("BILLING", "x1", "hx", "10.0.0.9"), "ORDERS"), 400});
  cases.push_back({"no hostName", RegisterInstance(no_host), 400});
  cases.push_back({"no ipAddr", RegisterInstance(no_ip), 400});
  cases.push_back({"no dataCenterInfo", RegisterInstance(no_data_center), 400});
  cases.push_back({"control character", RegisterInstance(control), 400});
  cases.push_back({"malformed JSON", Post("/apps/ORDERS", "application/json", "{\"instance\":"), 400});
  cases.push_back({"malformed XML", Post("/apps/ORDERS", "application/xml", "<instance>"), 400});
  cases.push_back({"text/plain",
                   Post("/apps/ORDERS", "text/plain", R("ORDERS", "x1", "hx", "10.0.0.9").Json()),
                   415});
  cases.push_back({"heartbeat unknown", Put("/apps/ORDERS/nobody?status=UP"), 404});
  cases.push_back({"heartbeat abc", Put("/apps/ORDERS/o1?lastDirtyTimestamp=abc"), 500});
  cases.push_back({"cancel unknown", Delete("/apps/ORDERS/nobody"), 404});
  cases.push_back({"override BOGUS", Put("/apps/ORDERS/o1/status?value=BOGUS"), 500});
  cases.push_back({"override no value", Put("/apps/ORDERS/o1/status"), 500});
  cases.push_back({"override unknown", Put("/apps/ORDERS/nobody/status?value=DOWN"), 404});
  cases.push_back({"delete override unknown", Delete("/apps/ORDERS/nobody/status"), 404});
  cases.push_back({"delete override BOGUS", Delete("/apps/ORDERS/o1/status?value=BOGUS"), 500});
  cases.push_back({"metadata unknown", Put("/apps/ORDERS/nobody/metadata?a=b"), 404});
  cases.push_back({"wrong method", http().Request("PATCH", B() + "/apps/ORDERS/o1"), 405});
  cases.push_back({"unknown path", http().Request("POST", B() + "/nothing/here"), 404});
  cases.push_back({"malformed batch",
                   http().Request("POST", B() + "/peerreplication/batch", kJsonBody, "[1,2"), 400});
  for (const Case& c : cases) {
    EXPECT_EQ(c.result.status, c.expected) << c.what << ": " << c.result.body;
  }
  {
    // Limits, each on its own connection (the server may close it).
    HttpClient client(port());
    EXPECT_EQ(client.Get(B() + "/apps", {{"X-Big", std::string(70 * 1024, 'x')}}).status, 431);
  }
  {
    HttpClient client(port());
    ASSERT_TRUE(client.SendRaw("POST " + B() +
                               "/apps/ORDERS HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n"));
    EXPECT_EQ(client.ReadResponse().status, 413);
  }

  EXPECT_EQ(LastOffset(), before);
  const HttpResult events = Events(before + 1);
  ASSERT_EQ(events.status, 200);
  EXPECT_EQ(Json(events.body).SizeAt("/events"), 0u) << events.body;
  // And the registry still holds exactly o1, unchanged.
  const HttpResult apps = GetJson("/apps");
  EXPECT_EQ(Json(apps.body).StringAt("/applications/apps__hashcode"), "UP_1_") << apps.body;
  EXPECT_EQ(InstanceString("ORDERS", "o1", "status"), "UP");
}

}  // namespace
}  // namespace logbook::e2e
