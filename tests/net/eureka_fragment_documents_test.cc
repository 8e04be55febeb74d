// The cached JSON and XML documents assembled from per-instance fragments
// equal a from-scratch encode, byte for byte, over random register / renew /
// status / cancel / evict / metadata histories (fragments are refreshed only
// when a record's last_change_offset moves, so a renewal that changed what a
// document shows would make them differ); renewals re-encode nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
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
#include "tests/testing/http_client.h"

namespace logbook::net::eureka {
namespace {

constexpr PayloadFlavour kFlavours[] = {PayloadFlavour::kFull, PayloadFlavour::kCompact};
constexpr WireFormat kFormats[] = {WireFormat::kJson, WireFormat::kXml};

// The plain bytes of documents built with parts reused from `previous`
// (replaced by the new parts), as the response cache builds them.
std::string Full(const ApplicationsDocument& document, FragmentCache& fragments,
                 DocumentParts* previous, WireFormat format = WireFormat::kJson,
                 PayloadFlavour flavour = PayloadFlavour::kFull) {
  *previous = ApplicationsParts(document, format, flavour, fragments, PartReuse(*previous));
  return PlainBody(*previous).Flatten();
}
std::string Single(const ApplicationView& application, FragmentCache& fragments,
                   DocumentParts* previous, WireFormat format = WireFormat::kJson,
                   PayloadFlavour flavour = PayloadFlavour::kFull) {
  *previous = ApplicationParts(application, format, flavour, fragments, PartReuse(*previous));
  return PlainBody(*previous).Flatten();
}
// The same, without a previous version.
std::string Full(const ApplicationsDocument& document, FragmentCache& fragments,
                 WireFormat format = WireFormat::kJson,
                 PayloadFlavour flavour = PayloadFlavour::kFull) {
  DocumentParts none;
  return Full(document, fragments, &none, format, flavour);
}
std::string Single(const ApplicationView& application, FragmentCache& fragments,
                   WireFormat format = WireFormat::kJson,
                   PayloadFlavour flavour = PayloadFlavour::kFull) {
  DocumentParts none;
  return Single(application, fragments, &none, format, flavour);
}

// The encoder's bytes for the same views.
std::string Encoded(const ApplicationsDocument& document, WireFormat format,
                    PayloadFlavour flavour) {
  return format == WireFormat::kJson ? WriteApplicationsJson(document, flavour)
                                     : WriteApplicationsXml(document, flavour);
}
std::string Encoded(const ApplicationView& application, WireFormat format,
                    PayloadFlavour flavour) {
  return format == WireFormat::kJson ? WriteApplicationJson(application, flavour)
                                     : WriteApplicationXml(application, flavour);
}

// Previous parts per document, format and flavour, as the response cache
// keys its entries.
std::string KeyOf(std::string_view document, WireFormat format, PayloadFlavour flavour) {
  std::string key(document);
  key += format == WireFormat::kJson ? "|json" : "|xml";
  if (flavour == PayloadFlavour::kCompact) key += "|compact";
  return key;
}

class FragmentDocuments : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(FragmentDocuments, EqualAFromScratchEncodeAfterEveryRandomStep) {
  const core::testing::RandomWorkload workload = core::testing::MakeRandomWorkload(GetParam(), 600);
  core::Registry registry(workload.options);
  FragmentCache fragments;
  std::mt19937_64 rng(GetParam() * 7919);
  int documents = 0;
  std::map<std::string, DocumentParts> parts;
  for (const core::Event& event : workload.events) {
    registry.Apply(event);
    if (rng() % 3 != 0) continue;  // builds after some steps only, as fetches come
    // VIP and per-app documents reach (and refresh) fragments too, so the
    // full document is built first only sometimes.
    const bool full_first = rng() % 2 == 0;
    const auto full = [&] {
      const ApplicationsDocument document = FullRegistryDocument(registry);
      for (const WireFormat format : kFormats) {
        for (const PayloadFlavour flavour : kFlavours) {
          ASSERT_EQ(Full(document, fragments, &parts[KeyOf("apps", format, flavour)], format,
                         flavour),
                    Encoded(document, format, flavour));
        }
      }
      fragments.Prune(static_cast<std::size_t>(registry.instance_count()));
      ++documents;
    };
    if (full_first) full();
    const auto applications = [&](const ApplicationsDocument& document, std::string_view name) {
      for (const WireFormat format : kFormats) {
        for (const PayloadFlavour flavour : kFlavours) {
          ASSERT_EQ(Full(document, fragments, &parts[KeyOf(name, format, flavour)], format,
                         flavour),
                    Encoded(document, format, flavour));
        }
      }
    };
    for (const char* vip : {"v1", "v2", "orders-vip"}) {
      applications(VipDocument(registry, vip, false), vip);
    }
    applications(VipDocument(registry, "s1", true), "secure s1");
    // A view may show another actionType than the record's (the delta's
    // kind): such instances are encoded in place, the others still shared.
    ApplicationsDocument relabelled = FullRegistryDocument(registry);
    for (ApplicationView& application : relabelled.applications) {
      for (std::size_t i = 0; i < application.instances.size(); i += 2) {
        application.instances[i].action = core::ActionType::kDeleted;
      }
    }
    applications(relabelled, "relabelled");
    for (const char* app : {"ORDERS", "BILLING"}) {
      const std::optional<ApplicationView> view = ApplicationDocument(registry, app);
      if (!view.has_value()) continue;
      for (const WireFormat format : kFormats) {
        for (const PayloadFlavour flavour : kFlavours) {
          ASSERT_EQ(Single(*view, fragments, &parts[KeyOf(app, format, flavour)], format, flavour),
                    Encoded(*view, format, flavour));
        }
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
  EXPECT_EQ(Full(full, fragments, WireFormat::kXml), WriteApplicationsXml(full));
  EXPECT_EQ(Full(full, fragments), WriteApplicationsJson(full));
  const std::optional<ApplicationView> orders = ApplicationDocument(harness.registry(), "ORDERS");
  ASSERT_TRUE(orders.has_value());
  EXPECT_EQ(Single(*orders, fragments, WireFormat::kXml), WriteApplicationXml(*orders));
  const ApplicationsDocument vip = VipDocument(harness.registry(), "orders-vip", false);
  EXPECT_EQ(Full(vip, fragments, WireFormat::kXml), WriteApplicationsXml(vip));
  for (const PayloadFlavour flavour : kFlavours) {
    EXPECT_EQ(Full(full, fragments, WireFormat::kXml, flavour),
              WriteApplicationsXml(full, flavour));
    EXPECT_EQ(Single(*orders, fragments, WireFormat::kJson, flavour),
              WriteApplicationJson(*orders, flavour));
  }
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplications), 3u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplication), 2u);
}

TEST(FragmentDocumentsLaziness, AJsonOnlyReaderHoldsNoXml) {
  core::testing::Harness harness = Seeded(50);
  FragmentCache fragments;
  Full(FullRegistryDocument(harness.registry()), fragments);
  EXPECT_EQ(fragments.size(FragmentFormat::kJson), 50u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplications), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kXmlInApplication), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kCompactJson), 0u);
  EXPECT_EQ(fragments.size(FragmentFormat::kCompactXml), 0u);
}

TEST(FragmentDocumentsRenewals, ReEncodeNothingAndKeepTheShownVersion) {
  core::testing::Harness harness = Seeded(200);
  FragmentCache fragments;
  DocumentParts parts;
  DocumentParts xml_parts;
  const std::string before = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  const std::string xml_before =
      Full(FullRegistryDocument(harness.registry()), fragments, &xml_parts, WireFormat::kXml);
  const std::uint64_t encodes = fragments.encodes();
  const std::uint64_t shown_version = harness.registry().shown_version();
  const std::uint64_t version = harness.registry().version();
  for (int i = 0; i < 200; ++i)
    harness.Renew(absl::StrCat("APP", i % 10), absl::StrCat("i", i), 5000);
  EXPECT_GT(harness.registry().version(), version);
  EXPECT_EQ(harness.registry().shown_version(), shown_version);
  EXPECT_EQ(Full(FullRegistryDocument(harness.registry()), fragments, &parts), before);
  EXPECT_EQ(
      Full(FullRegistryDocument(harness.registry()), fragments, &xml_parts, WireFormat::kXml),
      xml_before);
  EXPECT_EQ(fragments.encodes(), encodes);

  // A status change is shown: one fragment re-encoded, a new shown version.
  harness.SetStatus("APP3", "i3", core::InstanceStatus::kOutOfService, 6000);
  EXPECT_GT(harness.registry().shown_version(), shown_version);
  const std::string after = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  EXPECT_NE(after, before);
  EXPECT_EQ(fragments.encodes(), encodes + 1);
  const std::string xml_after =
      Full(FullRegistryDocument(harness.registry()), fragments, &xml_parts, WireFormat::kXml);
  EXPECT_EQ(xml_after, WriteApplicationsXml(FullRegistryDocument(harness.registry())));
  EXPECT_EQ(fragments.encodes(), encodes + 2);
  EXPECT_NE(xml_after.find("<lastRenewalTimestamp>6000</lastRenewalTimestamp>"),
            std::string::npos);
  // Documents show the time of the last change, not of the last heartbeat.
  EXPECT_EQ(after.find(R"("lastRenewalTimestamp":5000)"), std::string::npos);
  EXPECT_NE(after.find(R"("lastRenewalTimestamp":6000)"), std::string::npos);
  EXPECT_NE(after.find(R"("lastRenewalTimestamp":1000)"), std::string::npos);
}

// The gzip body made of per-part pieces, over a random history: after every
// step it decompresses (zlib, which checks CRC and length, and libdeflate)
// to exactly the plain document, whichever pieces were reused.
TEST_P(FragmentDocuments, GzipOfPiecesDecompressesToThePlainDocument) {
  const core::testing::RandomWorkload workload = core::testing::MakeRandomWorkload(GetParam(), 400);
  core::Registry registry(workload.options);
  FragmentCache fragments;
  std::map<std::string, DocumentParts> parts;
  std::map<std::string, DeflatedParts> deflated;
  PieceDeflater deflater;
  std::mt19937_64 rng(GetParam() * 104729);
  for (const core::Event& event : workload.events) {
    registry.Apply(event);
    if (rng() % 4 != 0) continue;
    for (const WireFormat format : kFormats) {
      for (const PayloadFlavour flavour : kFlavours) {
        const std::string key = KeyOf("apps", format, flavour);
        const std::string plain =
            Full(FullRegistryDocument(registry), fragments, &parts[key], format, flavour);
        const std::string gzip = deflated[key].Gzip(parts[key], deflater);
        ASSERT_EQ(logbook::testing::Gunzip(gzip), plain) << key;
        absl::StatusOr<std::string> restored = GzipDecompress(gzip, plain.size());
        ASSERT_TRUE(restored.ok()) << restored.status();
        ASSERT_EQ(*restored, plain) << key;
      }
    }
  }
}

TEST(FragmentDocumentsGzip, AChangeRecompressesOnlyItsApplicationAndTheEnvelope) {
  core::testing::Harness harness = Seeded(2000);
  FragmentCache fragments;
  DocumentParts parts;
  DeflatedParts deflated;
  PieceDeflater deflater;
  const std::string json = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  const std::string gzip = deflated.Gzip(parts, deflater);
  // 10 applications, 9 commas (one part, but after different bytes), the
  // envelope's head and tail.
  EXPECT_EQ(deflated.compressed_last(), 21u);
  // Within a few percent of libdeflate compressing the whole document at
  // once (zlib's own whole-document output is ~4% above libdeflate's here).
  const std::string whole = GzipCompress(json);
  EXPECT_LT(gzip.size(), whole.size() * 108 / 100) << gzip.size() << " vs " << whole.size();
  EXPECT_EQ(logbook::testing::Gunzip(gzip), json);

  harness.SetStatus("APP3", "i3", core::InstanceStatus::kOutOfService, 6000);
  const std::string changed = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  const std::string changed_gzip = deflated.Gzip(parts, deflater);
  // The head (apps__hashcode moved) and APP0 compressed after it; APP3 and
  // the comma and APP4 compressed after it. The rest is reused.
  EXPECT_EQ(deflated.compressed_last(), 5u);
  EXPECT_EQ(logbook::testing::Gunzip(changed_gzip), changed);

  // gzip(1) itself accepts the body.
  const std::string path = ::testing::TempDir() + "/pieces.json.gz";
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(std::fwrite(changed_gzip.data(), 1, changed_gzip.size(), file), changed_gzip.size());
    std::fclose(file);
  }
  EXPECT_EQ(std::system(("gzip -t " + path).c_str()), 0);
  std::remove(path.c_str());
}

// Every format and flavour gzips incrementally: after one change, only the
// parts whose bytes or preceding bytes moved are compressed again. Full:
// the head (apps__hashcode), the application after it, the changed one and
// the one after it (JSON: and the comma between them). Compact: versions
// come after the applications, so the tail moves instead of the head.
TEST(FragmentDocumentsGzip, EveryFormatAndFlavourRecompressesOnlyWhatMoved) {
  core::testing::Harness harness = Seeded(2000);
  FragmentCache fragments;
  const std::map<std::string, std::size_t> expected = {
      {"apps|json", 5}, {"apps|json|compact", 4}, {"apps|xml", 4}, {"apps|xml|compact", 3}};
  int round = 0;
  for (const WireFormat format : kFormats) {
    for (const PayloadFlavour flavour : kFlavours) {
      const std::string key = KeyOf("apps", format, flavour);
      DocumentParts parts;
      DeflatedParts deflated;
      PieceDeflater deflater;
      Full(FullRegistryDocument(harness.registry()), fragments, &parts, format, flavour);
      deflated.Gzip(parts, deflater);
      // JSON: head, 10 applications, 9 commas, tail. XML: no commas.
      EXPECT_EQ(deflated.compressed_last(), format == WireFormat::kJson ? 21u : 12u) << key;
      // Alternates, so that every round is a change.
      ++round;
      harness.SetStatus("APP3", "i3",
                        round % 2 == 1 ? core::InstanceStatus::kOutOfService
                                       : core::InstanceStatus::kUp,
                        5000 + 1000 * round);
      const std::string changed =
          Full(FullRegistryDocument(harness.registry()), fragments, &parts, format, flavour);
      const std::string gzip = deflated.Gzip(parts, deflater);
      EXPECT_EQ(logbook::testing::Gunzip(gzip), changed) << key;
      EXPECT_EQ(deflated.compressed_last(), expected.at(key)) << key;
    }
  }
}

TEST(FragmentDocumentsGzip, EmptyAndSinglePartDocuments) {
  DeflatedParts deflated;
  PieceDeflater deflater;
  for (const std::string& text : {std::string(), std::string("{}"), std::string(100000, 'x')}) {
    const DocumentParts one{TextPart(text)};
    EXPECT_EQ(PlainBody(one).Flatten(), text);
    EXPECT_EQ(logbook::testing::Gunzip(deflated.Gzip(one, deflater)), text);
    // The same bytes cut in two parts, compressed as pieces.
    const DocumentParts two{TextPart(text.substr(0, text.size() / 2)),
                            TextPart(text.substr(text.size() / 2))};
    EXPECT_EQ(PlainBody(two).Flatten(), text);
    EXPECT_EQ(logbook::testing::Gunzip(deflated.Gzip(two, deflater)), text);
  }
}

}  // namespace
}  // namespace logbook::net::eureka
