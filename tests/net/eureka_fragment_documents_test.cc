// The cached JSON documents assembled from per-instance fragments equal a
// from-scratch encode, byte for byte, over random register / renew / status /
// cancel / evict / metadata histories (fragments are refreshed only when a
// record's last_change_offset moves, so a renewal that changed what a
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
#include "net/eureka/fragment_cache.h"
#include "net/eureka/fragment_documents.h"
#include "net/eureka/gzip.h"
#include "net/eureka/registry_views.h"
#include "tests/core/core_test_util.h"
#include "tests/core/random_workload.h"
#include "tests/testing/http_client.h"

namespace logbook::net::eureka {
namespace {

// The plain bytes of documents built with parts reused from `previous`
// (replaced by the new parts), as the response cache builds them.
std::string Full(const ApplicationsDocument& document, FragmentCache& fragments,
                 DocumentParts* previous) {
  *previous = ApplicationsJsonParts(document, fragments, PartReuse(*previous));
  return PlainBody(*previous).Flatten();
}
std::string Single(const ApplicationView& application, FragmentCache& fragments,
                   DocumentParts* previous) {
  *previous = ApplicationJsonParts(application, fragments, PartReuse(*previous));
  return PlainBody(*previous).Flatten();
}

class FragmentDocuments : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(FragmentDocuments, EqualAFromScratchEncodeAfterEveryRandomStep) {
  const core::testing::RandomWorkload workload = core::testing::MakeRandomWorkload(GetParam(), 600);
  core::Registry registry(workload.options);
  FragmentCache fragments;
  std::mt19937_64 rng(GetParam() * 7919);
  int documents = 0;
  DocumentParts full_parts;
  std::map<std::string, DocumentParts> vip_parts;
  std::map<std::string, DocumentParts> app_parts;
  for (const core::Event& event : workload.events) {
    registry.Apply(event);
    if (rng() % 3 != 0) continue;  // builds after some steps only, as fetches come
    // VIP and per-app documents reach (and refresh) fragments too, so the
    // full document is built first only sometimes.
    const bool full_first = rng() % 2 == 0;
    const auto full = [&] {
      const ApplicationsDocument document = FullRegistryDocument(registry);
      const std::string assembled = Full(document, fragments, &full_parts);
      fragments.Prune(static_cast<std::size_t>(registry.instance_count()));
      ASSERT_EQ(assembled, WriteApplicationsJson(document));
      ++documents;
    };
    if (full_first) full();
    for (const char* vip : {"v1", "v2", "orders-vip"}) {
      const ApplicationsDocument document = VipDocument(registry, vip, false);
      ASSERT_EQ(Full(document, fragments, &vip_parts[vip]), WriteApplicationsJson(document));
    }
    const ApplicationsDocument secure = VipDocument(registry, "s1", true);
    ASSERT_EQ(Full(secure, fragments, &vip_parts["secure s1"]), WriteApplicationsJson(secure));
    for (const char* app : {"ORDERS", "BILLING"}) {
      const std::optional<ApplicationView> view = ApplicationDocument(registry, app);
      if (!view.has_value()) continue;
      ASSERT_EQ(Single(*view, fragments, &app_parts[app]), WriteApplicationJson(*view));
    }
    if (!full_first) full();
  }
  EXPECT_GT(documents, 50);
  // Fragments of removed instances do not pile up.
  EXPECT_LE(fragments.size(), 2 * static_cast<std::size_t>(registry.instance_count()) + 64);
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

TEST(FragmentDocumentsRenewals, ReEncodeNothingAndKeepTheShownVersion) {
  core::testing::Harness harness = Seeded(200);
  FragmentCache fragments;
  DocumentParts parts;
  const std::string before = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  const std::uint64_t encodes = fragments.encodes();
  const std::uint64_t shown_version = harness.registry().shown_version();
  const std::uint64_t version = harness.registry().version();
  for (int i = 0; i < 200; ++i)
    harness.Renew(absl::StrCat("APP", i % 10), absl::StrCat("i", i), 5000);
  EXPECT_GT(harness.registry().version(), version);
  EXPECT_EQ(harness.registry().shown_version(), shown_version);
  EXPECT_EQ(Full(FullRegistryDocument(harness.registry()), fragments, &parts), before);
  EXPECT_EQ(fragments.encodes(), encodes);

  // A status change is shown: one fragment re-encoded, a new shown version.
  harness.SetStatus("APP3", "i3", core::InstanceStatus::kOutOfService, 6000);
  EXPECT_GT(harness.registry().shown_version(), shown_version);
  const std::string after = Full(FullRegistryDocument(harness.registry()), fragments, &parts);
  EXPECT_NE(after, before);
  EXPECT_EQ(fragments.encodes(), encodes + 1);
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
  DocumentParts parts;
  DeflatedParts deflated;
  PieceDeflater deflater;
  std::mt19937_64 rng(GetParam() * 104729);
  for (const core::Event& event : workload.events) {
    registry.Apply(event);
    if (rng() % 4 != 0) continue;
    const std::string plain = Full(FullRegistryDocument(registry), fragments, &parts);
    const std::string gzip = deflated.Gzip(parts, deflater);
    ASSERT_EQ(logbook::testing::Gunzip(gzip), plain);
    absl::StatusOr<std::string> restored = GzipDecompress(gzip, plain.size());
    ASSERT_TRUE(restored.ok()) << restored.status();
    ASSERT_EQ(*restored, plain);
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
