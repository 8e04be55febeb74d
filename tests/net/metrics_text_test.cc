#include "net/metrics_text.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "net/metrics.h"

namespace logbook::net {
namespace {

TEST(MetricsText, FamilyHasHelpAndTypeThenSamples) {
  std::string out;
  MetricsTextWriter writer(&out);
  writer.Family("logbook_things_total", MetricType::kCounter, "Things counted.");
  writer.Sample({}, std::uint64_t{3});
  writer.Sample({{"kind", "a"}, {"code", "200"}}, std::uint64_t{18446744073709551615ULL});
  writer.Family("logbook_level", MetricType::kGauge, "A level.");
  writer.Sample({}, std::int64_t{-2});
  EXPECT_EQ(out,
            "# HELP logbook_things_total Things counted.\n"
            "# TYPE logbook_things_total counter\n"
            "logbook_things_total 3\n"
            "logbook_things_total{kind=\"a\",code=\"200\"} 18446744073709551615\n"
            "# HELP logbook_level A level.\n"
            "# TYPE logbook_level gauge\n"
            "logbook_level -2\n");
}

TEST(MetricsText, LabelValuesEscapeBackslashQuoteAndNewline) {
  std::string out;
  MetricsTextWriter writer(&out);
  writer.Family("logbook_x", MetricType::kGauge, "x");
  writer.Sample({{"app", "a\\b\"c\nd\te"}}, std::int64_t{1});
  // A tab is legal as is; only \, " and line feed are escaped.
  EXPECT_NE(out.find("logbook_x{app=\"a\\\\b\\\"c\\nd\te\"} 1\n"), std::string::npos) << out;
}

TEST(MetricsText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  std::string out;
  MetricsTextWriter writer(&out);
  writer.Family("logbook_x", MetricType::kGauge, "a \"quoted\" back\\slash\nnext");
  EXPECT_EQ(out.substr(0, out.find('\n') + 1),
            "# HELP logbook_x a \"quoted\" back\\\\slash\\nnext\n");
}

TEST(MetricsText, SpecialFloatValues) {
  std::string out;
  AppendMetricValue(&out, std::numeric_limits<double>::infinity());
  out.push_back(' ');
  AppendMetricValue(&out, -std::numeric_limits<double>::infinity());
  out.push_back(' ');
  AppendMetricValue(&out, std::nan(""));
  out.push_back(' ');
  AppendMetricValue(&out, 0.25);
  out.push_back(' ');
  AppendMetricValue(&out, 1e-4);
  out.push_back(' ');
  AppendMetricValue(&out, 1e-7);
  out.push_back(' ');
  AppendMetricValue(&out, 123456789.5);
  out.push_back(' ');
  AppendMetricValue(&out, 0);
  out.push_back(' ');
  AppendMetricValue(&out, 0.1 + 0.2);
  EXPECT_EQ(out, "+Inf -Inf NaN 0.25 0.0001 1e-07 123456789.5 0 0.30000000000000004");
}

TEST(MetricsText, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  const std::vector<double> bounds = {0.5, 1, 2.5};
  const std::vector<std::uint64_t> counts = {2, 0, 3, 1};  // per bucket, last = +Inf
  std::string out;
  MetricsTextWriter writer(&out);
  writer.Family("logbook_wait_seconds", MetricType::kHistogram, "Waits.");
  writer.Histogram({{"endpoint", "apps"}}, {bounds, counts, 12.5});
  EXPECT_EQ(out,
            "# HELP logbook_wait_seconds Waits.\n"
            "# TYPE logbook_wait_seconds histogram\n"
            "logbook_wait_seconds_bucket{endpoint=\"apps\",le=\"0.5\"} 2\n"
            "logbook_wait_seconds_bucket{endpoint=\"apps\",le=\"1\"} 2\n"
            "logbook_wait_seconds_bucket{endpoint=\"apps\",le=\"2.5\"} 5\n"
            "logbook_wait_seconds_bucket{endpoint=\"apps\",le=\"+Inf\"} 6\n"
            "logbook_wait_seconds_sum{endpoint=\"apps\"} 12.5\n"
            "logbook_wait_seconds_count{endpoint=\"apps\"} 6\n");
}

TEST(Histogram, BoundsAreInclusiveAndOverflowGoesToInf) {
  Histogram histogram({1, 2});
  for (double value : {0.0, 1.0, 1.5, 2.0, 2.0001, 100.0}) histogram.Observe(value);
  const Histogram::Snapshot snapshot = histogram.Read();
  EXPECT_EQ(snapshot.counts, (std::vector<std::uint64_t>{2, 2, 2}));
  EXPECT_DOUBLE_EQ(snapshot.sum, 106.5001);
}

TEST(Histogram, EmptyRendersZeroBuckets) {
  Histogram histogram({1});
  std::string out;
  MetricsTextWriter writer(&out);
  writer.Family("logbook_h", MetricType::kHistogram, "h");
  writer.Histogram({}, histogram.Read().data());
  EXPECT_NE(out.find("logbook_h_bucket{le=\"1\"} 0\nlogbook_h_bucket{le=\"+Inf\"} 0\n"
                     "logbook_h_sum 0\nlogbook_h_count 0\n"),
            std::string::npos)
      << out;
}

TEST(MetricsRegistry, RendersCollectorsInOrderAdded) {
  struct Fixed : MetricsCollector {
    explicit Fixed(std::string name) : name(std::move(name)) {}
    void Collect(MetricsTextWriter& writer) override {
      writer.Family(name, MetricType::kGauge, "g");
      writer.Sample({}, std::int64_t{1});
    }
    std::string name;
  };
  Fixed a("logbook_a");
  Fixed b("logbook_b");
  MetricsRegistry registry;
  registry.Add(&b);
  registry.Add(&a);
  const std::string text = registry.Render();
  EXPECT_LT(text.find("logbook_b 1"), text.find("logbook_a 1"));
  registry.Remove(&b);
  EXPECT_EQ(registry.Render().find("logbook_b"), std::string::npos);
}

}  // namespace
}  // namespace logbook::net
