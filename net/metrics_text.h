#pragma once
// Prometheus text exposition format 0.0.4: # HELP / # TYPE lines, samples
// with escaped label values, histograms as cumulative _bucket{le} series plus
// _sum and _count. Knows the format only; what to write is the collectors'.
//
// https://prometheus.io/docs/instrumenting/exposition_formats/
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace logbook::net {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

struct MetricLabel {
  std::string_view name;
  std::string_view value;
};
using MetricLabels = std::initializer_list<MetricLabel>;

// A histogram's state: counts[i] observations fell in bucket i (NOT
// cumulative: the writer accumulates), bucket i being (bounds[i-1],
// bounds[i]]; counts has one more entry than bounds, the +Inf bucket.
struct HistogramData {
  std::span<const double> bounds;
  std::span<const std::uint64_t> counts;
  double sum = 0;
};

class MetricsTextWriter {
 public:
  explicit MetricsTextWriter(std::string* out) : out_(out) {}

  // Starts a family: every sample until the next Family() belongs to it.
  // REQUIRES: `name` is a valid metric name, written once per exposition.
  void Family(std::string_view name, MetricType type, std::string_view help);

  // One sample of the current family (a counter's name already ends in
  // _total: the family name is the series name).
  void Sample(MetricLabels labels, double value);
  void Sample(MetricLabels labels, std::uint64_t value);
  void Sample(MetricLabels labels, std::int64_t value);

  // The _bucket/_sum/_count series of one histogram child.
  void Histogram(MetricLabels labels, const HistogramData& data);

 private:
  void SeriesStart(std::string_view suffix, MetricLabels labels,
                   const MetricLabel* extra = nullptr);

  std::string* out_;
  std::string family_;
};

// Label value escaping: backslash, double quote and line feed.
void AppendEscapedLabelValue(std::string* out, std::string_view value);
// HELP text escaping: backslash and line feed.
void AppendEscapedHelp(std::string* out, std::string_view help);
// Go's strconv.FormatFloat(v, 'g', -1, 64) spelling, "+Inf", "-Inf", "NaN".
void AppendMetricValue(std::string* out, double value);

}  // namespace logbook::net
