#include "storage/db.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/storage/storage_test_util.h"

namespace logbook::storage {
namespace {

using testing::TempDir;

TEST(Db, CreatesMissingDirWithColumnFamiliesAndMeta) {
  TempDir temp;
  const std::string dir = temp.Sub("a/b/data");
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->events()->GetName(), "events");
  EXPECT_EQ((*db)->meta()->GetName(), "meta");
  EXPECT_EQ((*db)->snapshots()->GetName(), "snapshots");
  absl::StatusOr<std::optional<std::string>> version = (*db)->GetMeta(kMetaFormatVersionKey);
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, "1");
  const std::string& identity = (*db)->log_identity();
  EXPECT_EQ(identity.size(), 32u);
  EXPECT_EQ(identity.find_first_not_of("0123456789abcdef"), std::string::npos) << identity;
}

TEST(Db, LogIdentityPersistsAndDiffersBetweenDirs) {
  TempDir temp;
  std::string first;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.Sub("one"));
    ASSERT_TRUE(db.ok()) << db.status();
    first = (*db)->log_identity();
  }
  absl::StatusOr<std::unique_ptr<Db>> reopened = Db::Open(temp.Sub("one"));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->log_identity(), first);
  absl::StatusOr<std::unique_ptr<Db>> other = Db::Open(temp.Sub("two"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE((*other)->log_identity(), first);
}

TEST(Db, MetaPutIsReadBack) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->PutMeta("node_id", "node-x").ok());
    absl::StatusOr<std::optional<std::string>> absent = (*db)->GetMeta("no_such_key");
    ASSERT_TRUE(absent.ok()) << absent.status();
    EXPECT_EQ(*absent, std::nullopt);
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->GetMeta("node_id"), "node-x");
}

TEST(Db, DirThatIsAFileIsAClearError) {
  TempDir temp;
  const std::string file = temp.Sub("file");
  std::ofstream(file) << "not a dir";
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(file);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(db.status().message(), "data dir " + file + " exists and is not"))
      << db.status();
}

TEST(Db, UncreatableDirIsAClearError) {
  TempDir temp;
  const std::string file = temp.Sub("file");
  std::ofstream(file) << "not a dir";
  const std::string dir = file + "/data";
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(dir);
  EXPECT_FALSE(db.ok());
  EXPECT_TRUE(absl::StrContains(db.status().message(), "cannot create data dir " + dir))
      << db.status();
}

TEST(Db, EmptyDirNameIsInvalid) {
  EXPECT_EQ(Db::Open("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Db, NewerStorageFormatIsRefused) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->PutMeta(kMetaFormatVersionKey, "2").ok());
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(db.status().message(), "storage format version 2")) << db.status();
}

TEST(Db, MetaWithIdentityButNoVersionIsDataLoss) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(
        (*db)
            ->raw()
            ->Delete(rocksdb::WriteOptions(), (*db)->meta(), std::string(kMetaFormatVersionKey))
            .ok());
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(db.status().message(), "no format version")) << db.status();
}

TEST(Db, UnknownColumnFamiliesDoNotPreventOpening) {
  TempDir temp;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
    ASSERT_TRUE(db.ok()) << db.status();
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(
        (*db)->raw()->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &handle).ok());
    ASSERT_TRUE((*db)->raw()->DestroyColumnFamilyHandle(handle).ok());
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.path());
  EXPECT_TRUE(db.ok()) << db.status();
}

TEST(Db, SecondOpenInThisProcessIsLocked) {
  TempDir temp;
  absl::StatusOr<std::unique_ptr<Db>> first = Db::Open(temp.path());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<Db>> second = Db::Open(temp.path());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(second.status().message(),
                        "data dir " + temp.path() + " is locked by another logbook process"))
      << second.status();
}

// What a crash leaves: the files of an open dir, copied after synced writes
// (everything they wrote is in the WAL, nothing in a table file yet).
void CopyAsCrashed(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

int TableFiles(const std::string& dir) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".sst") ++count;
  }
  return count;
}

// The open replays a crashed WAL into the memtables without writing table
// files (that flush was half the open's CPU after kill -9 at 100,000
// instances), and a second crash before any flush still finds every record:
// the recovered WAL stays until a flush covers it.
TEST(Db, ACrashedWalIsRecoveredWithoutAFlushAndSurvivesASecondCrash) {
  TempDir temp;
  constexpr int kKeys = 1000;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.Sub("live"));
    ASSERT_TRUE(db.ok()) << db.status();
    rocksdb::WriteOptions synced;
    synced.sync = true;
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_TRUE((*db)->raw()->Put(synced, (*db)->events(), "k" + std::to_string(i), "v").ok());
    }
    CopyAsCrashed(temp.Sub("live"), temp.Sub("crashed"));
  }
  const int tables_before = TableFiles(temp.Sub("crashed"));
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.Sub("crashed"));
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ(TableFiles(temp.Sub("crashed")), tables_before) << "the open flushed";
    CopyAsCrashed(temp.Sub("crashed"), temp.Sub("crashed_again"));
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(temp.Sub("crashed_again"));
  ASSERT_TRUE(db.ok()) << db.status();
  for (int i = 0; i < kKeys; ++i) {
    std::string value;
    ASSERT_TRUE(
        (*db)->raw()->Get(rocksdb::ReadOptions(), (*db)->events(), "k" + std::to_string(i), &value)
            .ok())
        << "key " << i;
    EXPECT_EQ(value, "v");
  }
}

}  // namespace
}  // namespace logbook::storage
