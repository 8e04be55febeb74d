#include "net/logger.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace logbook::net {
namespace {

// 2026-12-02T02:40:00.123Z
constexpr std::int64_t kSomeMs = 1796179200123;

TEST(FormatLogLine, TimestampLevelMessageThenFieldsInOrder) {
  EXPECT_EQ(FormatLogLine(kSomeMs, LogLevel::kWarn, "disk slow",
                          {{"path", "/data"}, {"ms", 12}, {"ok", false}, {"ratio", 0.5}}),
            "ts=2026-12-02T02:40:00.123Z level=warn msg=\"disk slow\" path=/data ms=12 ok=false "
            "ratio=0.5");
}

TEST(FormatLogLine, QuotesOnlyWhatNeedsIt) {
  std::string out;
  AppendLogfmtValue(&out, "plain-value_1.2:3/x");
  out.push_back('|');
  AppendLogfmtValue(&out, "");
  out.push_back('|');
  AppendLogfmtValue(&out, "a=b");
  out.push_back('|');
  AppendLogfmtValue(&out, "say \"hi\"\\now\n\t\x01");
  EXPECT_EQ(out, "plain-value_1.2:3/x|\"\"|\"a=b\"|\"say \\\"hi\\\"\\\\now\\n\\t\\u0001\"");
}

TEST(FormatLogLine, NegativeAndUnsignedIntegers) {
  EXPECT_EQ(FormatLogLine(0, LogLevel::kDebug, "m",
                          {{"a", -5}, {"b", 18446744073709551615ULL}, {"c", std::int64_t{7}}}),
            "ts=1970-01-01T00:00:00.000Z level=debug msg=m a=-5 b=18446744073709551615 c=7");
}

TEST(Logger, DropsLinesBelowItsLevelAndWritesOneLineEach) {
  std::FILE* sink = std::tmpfile();
  ASSERT_NE(sink, nullptr);
  Logger logger(LogLevel::kInfo, sink);
  EXPECT_FALSE(logger.Enabled(LogLevel::kDebug));
  EXPECT_TRUE(logger.Enabled(LogLevel::kError));
  logger.Debug("hidden");
  logger.Info("shown", {{"k", "v"}});
  logger.Error("bad");
  std::rewind(sink);
  std::string text;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, sink) != nullptr) text += buffer;
  std::fclose(sink);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find("level=info msg=shown k=v\n"), std::string::npos) << text;
  EXPECT_NE(text.find("level=error msg=bad\n"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

}  // namespace
}  // namespace logbook::net
