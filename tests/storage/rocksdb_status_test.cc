#include "storage/rocksdb_status.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace logbook::storage {
namespace {

TEST(FromRocksDb, OkStaysOk) {
  EXPECT_TRUE(FromRocksDb(rocksdb::Status::OK(), {.operation = "Write"}).ok());
}

TEST(FromRocksDb, MessageNamesOperationColumnFamilyAndOffset) {
  const absl::Status status =
      FromRocksDb(rocksdb::Status::Corruption("block checksum mismatch"),
                  {.operation = "Get", .column_family = "events", .offset = 42});
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "rocksdb Get on column family 'events' at offset 42: "))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "block checksum mismatch")) << status;
}

TEST(FromRocksDb, OffsetRangeIsNamed) {
  const absl::Status status =
      FromRocksDb(rocksdb::Status::IOError("fsync failed"),
                  {.operation = "Write", .column_family = "events", .offset = 7, .last_offset = 9});
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(absl::StrContains(status.message(), "at offsets 7..9")) << status;
}

TEST(FromRocksDb, LockHeldByAnotherProcessIsFailedPrecondition) {
  const absl::Status status = FromRocksDb(
      rocksdb::Status::IOError("While lock file: /x/LOCK", "Resource temporarily unavailable"),
      {.operation = "Open", .data_dir = "/x"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(status.message(), "data dir /x is locked by another logbook process"))
      << status;
}

TEST(FromRocksDb, LockHeldInThisProcessIsFailedPrecondition) {
  const absl::Status status = FromRocksDb(
      rocksdb::Status::IOError("lock hold by current process, acquire time 1 acquiring thread 2: "
                               "/x/LOCK",
                               "No locks available"),
      {.operation = "Open", .data_dir = "/x"});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(status.message(), "data dir /x is locked")) << status;
}

TEST(FromRocksDb, CodesFollowTheKindOfFailure) {
  const RocksDbContext context{.operation = "Write"};
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotFound(), context).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::InvalidArgument("x"), context).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NoSpace("disk full"), context).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(
      FromRocksDb(rocksdb::Status::IOError("open /x/CURRENT", "Permission denied"), context).code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotSupported("x"), context).code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::Busy("x"), context).code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace logbook::storage
