// The cached JSON and XML documents assembled from per-instance fragments
// equal a from-scratch encode, byte for byte, over random register / renew /
// status / cancel / evict / metadata histories (fragments are refreshed only
// when a record's last_change_offset moves, so a renewal that changed what a
// document shows would make them differ); renewals re-encode nothing.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/registry.h"
#include "net/eureka/eureka_json.h"
#include "net/eureka/eureka_xml.h"
#include "net/eureka/fragment_cache.h"
#include "net/eureka/fragment_documents.h"
#include "net/eureka/gzip.h"
#include "net/eureka/registry_views.h"
#include "tests/core/core_test_util.h"
#include "tests/core/random_workload.h"

namespace logbook::net::eureka {
namespace {

constexpr PayloadFlavour kFlavours[] = {PayloadFlavour::kFull, PayloadFlavour::kCompact};

class FragmentDocuments : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(FragmentDocuments, EqualAFromScratchEncodeAfterEveryRandomStep) {
  const core::testing::RandomWorkload workload =
      core::testing::MakeRandomWorkload(GetParam(), 600);
  core::Registry registry(workload.options);
  FragmentCache fragments;
  std::mt19937_64 rng(GetParam() * 7919);
  int documents = 0;
  for (const core::Event& event : workload.events) {
    registry.Apply(event);
    if (rng() % 3 != 0) continue;  // builds after some steps only, as fetches come
    // VIP and per-app documents reach (and refresh) fragments too, so the
    // full document is built first only sometimes.
    const bool full_first = rng() % 2 == 0;
    const auto full = [&] {
      const ApplicationsDocument document = FullRegistryDocument(registry);
      for (const PayloadFlavour flavour : kFlavours) {
        const std::string json = AssembleApplicationsJson(document, fragments, flavour);
        const std::string xml = AssembleApplicationsXml(document, fragments, flavour);
        ASSERT_EQ(json, WriteApplicationsJson(document, flavour));
        ASSERT_EQ(xml, WriteApplicationsXml(document, flavour));
      }
      fragments.Prune(static_cast<std::size_t>(registry.instance_count()));
      ++documents;
    };
    if (full_first) full();
    const auto applications = [&](const ApplicationsDocument& document) {
      for (const PayloadFlavour flavour : kFlavours) {
        ASSERT_EQ(AssembleApplicationsJson(document, fragments, flavour),
                  WriteApplicationsJson(document, flavour));
        ASSERT_EQ(AssembleApplicationsXml(document, fragments, flavour),
                  WriteApplicationsXml(document, flavour));
      }
    };
    for (const char* vip : {"v1", "v2", "orders-vip"}) {
      applications(VipDocument(registry, vip, false));
    }
    applications(VipDocument(registry, "s1", true));
    // A view may show another actionType than the record's (the delta's
    // kind): such instances are encoded in place, the others still copied.
    ApplicationsDocument relabelled = FullRegistryDocument(registry);
    for (ApplicationView& application : relabelled.applications) {
      for (std::size_t i = 0; i < application.instances.size(); i += 2) {
        application.instances[i].action = core::ActionType::kDeleted;
      }
    }
    applications(relabelled);
    for (const char* app : {"ORDERS", "BILLING"}) {
      const std::optional<ApplicationView> view = ApplicationDocument(registry, app);
      if (!view.has_value()) continue;
      for (const PayloadFlavour flavour : kFlavours) {
        ASSERT_EQ(AssembleApplicationJson(*view, fragments, flavour),
                  WriteApplicationJson(*view, flavour));
        ASSERT_EQ(AssembleApplicationXml(*view, fragments, flavour),
                  WriteApplicationXml(*view, flavour));
      }
    }
    if (!full_first) full();
  }
  EXPECT_GT(documents, 50);
  // Fragments of removed instances do not pile up.
  for (const FragmentFormat format :
       {FragmentFormat::kJson, FragmentFormat::kXmlInApplications,
        FragmentFormat::kXmlInApplication, FragmentFormat::kCompactJson,
        FragmentFormat::kCompactXml}) {
    EXPECT_LE(fragments.size(format),
              2 * static_cast<std::size_t>(registry.instance_count()) + 64);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, FragmentDocuments, ::testing::Range<std::uint64_t>(1, 41));

// A registry of `count` instances in 10 apps, registered at t=1000.
core::testing::Harness Seeded(int count) {
  core::testing::Harness harness;
  for (int i = 0; i < count; ++i) {
    harness.Register(core::testing::MakeInstance(absl::StrCat("APP", i % 10), absl::StrCat("i", i)),
                     1000);
  }
  return harness;
}

// Values whose escaping or line breaks could confuse a copied fragment:
// text with line breaks and indentation-like runs of spaces, markup
// characters, coded element names, empty values and maps, Amazon metadata.
TEST(FragmentDocumentsAwkwardValues, EqualAFromScratchEncodeAtEveryDepth) {
  core::testing::Harness harness;
  core::InstanceInfo plain = core::testing::MakeInstance("ORDERS", "o1");
  plain.metadata = {{"multi", "line\n    </instance>\n  "}, {"x$y_z", "<a & 'b'>"},
                    {"empty", ""}, {"tab", "\t\r\n"}};
  plain.app_group_name = "";
  harness.Register(plain, 1000);
  core::InstanceInfo amazon = core::testing::MakeInstance("ORDERS", "o2");
  amazon.data_center.name = "Amazon";
  amazon.data_center.metadata = {{"availability-zone", "z1"}, {"instance-id", "i-1\n"}};
  harness.Register(amazon, 1000);
  core::InstanceInfo bare = core::testing::MakeInstance("BILLING", "b1");
  bare.has_data_center = false;
  bare.instance_id.reset();
  harness.Register(bare, 1000);

  FragmentCache fragments;
  const ApplicationsDocument full = FullRegistryDocument(harness.registry());
  EXPECT_EQ(AssembleApplicationsXml(full, fragments), WriteApplicationsXml(full));
  EXPECT_EQ(AssembleApplicationsJson(full, fragments), WriteApplicationsJson(full));
  const std::optional<ApplicationView> orders = ApplicationDocument(harness.registry(), "ORDERS");
  ASSERT_TRUE(orders.has_value());
  EXPECT_EQ(AssembleApplicationXml(*orders, fragments), WriteApplicationXml(*orders));
  const ApplicationsDocument vip = VipDocument(harness.registry(), "orders-vip", false);
  EXPECT_EQ(AssembleApplicationsXml(vip, fragments), WriteApplicationsXml(vip));
  for (const PayloadFlavour flavour : kFlavours) {
    EXPECT_EQ(AssembleApplicationsXml(full, fragments, flavour), WriteApplicationsXml(full, flavour));
    EXPECT_EQ(AssembleApplicationJson(*orders, fragments, flavour),
              WriteApplicationJson(*orders, flavour));
  }
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplications), 3u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplication), 2u);
}

TEST(FragmentDocumentsLaziness, AJsonOnlyReaderHoldsNoXml) {
  core::testing::Harness harness = Seeded(50);
  FragmentCache fragments;
  AssembleApplicationsJson(FullRegistryDocument(harness.registry()), fragments);
  EXPECT_EQ(fragments.size(FragmentFormat::kJson), 50u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplications), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplication), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kCompactJson), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kCompactXml), 0u);
}

TEST(FragmentDocumentsRenewals, ReEncodeNothingAndKeepTheShownVersion) {
  core::testing::Harness harness = Seeded(200);
  FragmentCache fragments;
  const std::string before =
      AssembleApplicationsJson(FullRegistryDocument(harness.registry()), fragments);
  const std::string xml_before =
      AssembleApplicationsXml(FullRegistryDocument(harness.registry()), fragments);
  const std::uint64_t encodes = fragments.encodes();
  const std::uint64_t shown_version = harness.registry().shown_version();
  const std::uint64_t version = harness.registry().version();
  for (int i = 0; i < 200; ++i) harness.Renew(absl::StrCat("APP", i % 10), absl::StrCat("i", i), 5000);
  EXPECT_GT(harness.registry().version(), version);
  EXPECT_EQ(harness.registry().shown_version(), shown_version);
  EXPECT_EQ(AssembleApplicationsJson(FullRegistryDocument(harness.registry()), fragments), before);
  EXPECT_EQ(AssembleApplicationsXml(FullRegistryDocument(harness.registry()), fragments),
            xml_before);
  EXPECT_EQ(fragments.encodes(), encodes);

  // A status change is shown: one fragment re-encoded, a new shown version.
  harness.SetStatus("APP3", "i3", core::InstanceStatus::kOutOfService, 6000);
  EXPECT_GT(harness.registry().shown_version(), shown_version);
  const std::string after =
      AssembleApplicationsJson(FullRegistryDocument(harness.registry()), fragments);
  EXPECT_NE(after, before);
  EXPECT_EQ(fragments.encodes(), encodes + 1);
  const std::string xml_after =
      AssembleApplicationsXml(FullRegistryDocument(harness.registry()), fragments);
  EXPECT_EQ(xml_after, WriteApplicationsXml(FullRegistryDocument(harness.registry())));
  EXPECT_EQ(fragments.encodes(), encodes + 2);
  EXPECT_NE(xml_after.find("<lastRenewalTimestamp>6000</lastRenewalTimestamp>"),
            std::string::npos);
  // Documents show the time of the last change, not of the last heartbeat.
  EXPECT_EQ(after.find(R"("lastRenewalTimestamp":5000)"), std::string::npos);
  EXPECT_NE(after.find(R"("lastRenewalTimestamp":6000)"), std::string::npos);
  EXPECT_NE(after.find(R"("lastRenewalTimestamp":1000)"), std::string::npos);
}

TEST(FragmentDocumentsGzip, RoundTripsAnAssembledRegistry) {
  core::testing::Harness harness = Seeded(2000);
  FragmentCache fragments;
  const std::string json =
      AssembleApplicationsJson(FullRegistryDocument(harness.registry()), fragments);
  const std::string compressed = GzipCompress(json);
  EXPECT_LT(compressed.size(), json.size() / 10);
  absl::StatusOr<std::string> restored = GzipDecompress(compressed, json.size());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(*restored, json);
}

}  // namespace
}  // namespace logbook::net::eureka
