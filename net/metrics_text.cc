#include "net/metrics_text.h"

#include <charconv>
#include <cmath>

#include "core/status.h"

namespace logbook::net {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

template <typename T>
void AppendInteger(std::string* out, T value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  LOGBOOK_CHECK(ec == std::errc());
  out->append(buffer, end);
}

}  // namespace

void AppendEscapedLabelValue(std::string* out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendEscapedHelp(std::string* out, std::string_view help) {
  for (char c : help) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

void AppendMetricValue(std::string* out, double value) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
    return;
  }
  // The shortest text that reads back as the same double, spelled as Go's
  // strconv 'g' (what Prometheus' own clients write): plain decimals for
  // exponents in [-4, 21), so bucket bounds read "0.0001", not "1e-04".
  char buffer[400];
  const int exponent = value == 0 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const std::chars_format format = exponent >= -4 && exponent < 21
                                       ? std::chars_format::fixed
                                       : std::chars_format::scientific;
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  LOGBOOK_CHECK(ec == std::errc());
  out->append(buffer, end);
}

void MetricsTextWriter::Family(std::string_view name, MetricType type, std::string_view help) {
  family_.assign(name);
  out_->append("# HELP ").append(name).push_back(' ');
  AppendEscapedHelp(out_, help);
  out_->append("\n# TYPE ").append(name).push_back(' ');
  out_->append(TypeName(type)).push_back('\n');
}

void MetricsTextWriter::SeriesStart(std::string_view suffix, MetricLabels labels,
                                    const MetricLabel* extra) {
  out_->append(family_).append(suffix);
  if (labels.size() == 0 && extra == nullptr) {
    out_->push_back(' ');
    return;
  }
  out_->push_back('{');
  bool first = true;
  const auto append = [&](const MetricLabel& label) {
    if (!first) out_->push_back(',');
    first = false;
    out_->append(label.name).append("=\"");
    AppendEscapedLabelValue(out_, label.value);
    out_->push_back('"');
  };
  for (const MetricLabel& label : labels) append(label);
  if (extra != nullptr) append(*extra);
  out_->append("} ");
}

void MetricsTextWriter::Sample(MetricLabels labels, double value) {
  SeriesStart("", labels);
  AppendMetricValue(out_, value);
  out_->push_back('\n');
}

void MetricsTextWriter::Sample(MetricLabels labels, std::uint64_t value) {
  SeriesStart("", labels);
  AppendInteger(out_, value);
  out_->push_back('\n');
}

void MetricsTextWriter::Sample(MetricLabels labels, std::int64_t value) {
  SeriesStart("", labels);
  AppendInteger(out_, value);
  out_->push_back('\n');
}

void MetricsTextWriter::Histogram(MetricLabels labels, const HistogramData& data) {
  LOGBOOK_CHECK(data.counts.size() == data.bounds.size() + 1);
  std::uint64_t cumulative = 0;
  std::string le;
  for (std::size_t i = 0; i <= data.bounds.size(); ++i) {
    cumulative += data.counts[i];
    le.clear();
    if (i < data.bounds.size()) {
      AppendMetricValue(&le, data.bounds[i]);
    } else {
      le = "+Inf";
    }
    const MetricLabel le_label{"le", le};
    SeriesStart("_bucket", labels, &le_label);
    AppendInteger(out_, cumulative);
    out_->push_back('\n');
  }
  SeriesStart("_sum", labels);
  AppendMetricValue(out_, data.sum);
  out_->push_back('\n');
  // The +Inf bucket by definition: both come from the same counts, so they
  // agree even while another thread keeps observing.
  SeriesStart("_count", labels);
  AppendInteger(out_, cumulative);
  out_->push_back('\n');
}

}  // namespace logbook::net
