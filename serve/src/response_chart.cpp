#include "response_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "html_escape.h"
#include "page_parts.h"

namespace hc::serve {
namespace {

using std::chrono::microseconds;

constexpr int kGridLines = 4;
constexpr int kMaxXTicks = 8;
// Lines keep their width however the chart is scaled; a one-point run is a round dot.
constexpr std::string_view kLineAttributes =
    R"(fill="none" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" )"
    R"(vector-effect="non-scaling-stroke")";

std::chrono::microseconds bucket_length(HistoryStep step) {
  return step == HistoryStep::kHour ? microseconds(std::chrono::hours(1))
                                    : microseconds(std::chrono::days(1));
}

class Scale {
 public:
  Scale(const SiteWindow& window, double ceiling_ms) : window_(window), ceiling_ms_(ceiling_ms) {}

  double x(WallTime time) const {
    const WallTime clamped = std::clamp(time, window_.from, window_.to);
    const auto span = static_cast<double>((window_.to - window_.from).count());
    return kPlotLeft +
           (kPlotRight - kPlotLeft) * static_cast<double>((clamped - window_.from).count()) / span;
  }
  double y(double ms) const {
    return kPlotBottom - (kPlotBottom - kPlotTop) * std::min(ms, ceiling_ms_) / ceiling_ms_;
  }

 private:
  SiteWindow window_;
  double ceiling_ms_;
};

// "12.5": coordinates with one decimal, enough at any width the page draws.
std::string coordinate(double value) { return fmt::format("{:.1f}", value); }

std::string ms_label(double ms) {
  if (ms >= 1000.0) return fmt::format("{:g} s", ms / 1000.0);
  return fmt::format("{:g} ms", ms);
}

// The line of one percentile: "M x y L x y ..." broken at buckets without it.
std::string line_path(const std::vector<SiteBucket>& buckets, const Scale& scale, HistoryStep step,
                      std::optional<std::int64_t> SiteBucket::*percentile) {
  const microseconds length = bucket_length(step);
  std::string path;
  std::optional<WallTime> previous;  // the bucket before, when it has a point
  bool single = false;               // the current run has one point so far
  for (const SiteBucket& bucket : buckets) {
    const auto& value = bucket.*percentile;
    if (!value) {
      previous.reset();
      continue;
    }
    const double x = scale.x(bucket.start + length / 2);
    const double y = scale.y(static_cast<double>(*value) / 1000.0);
    const bool continues = previous && *previous + length == bucket.start;
    if (!continues && single) path += " h0.1";  // the run before was one point: a dot
    path += fmt::format("{}{} {}", path.empty() ? "M" : (continues ? " L" : " M"), coordinate(x),
                        coordinate(y));
    single = !continues;
    previous = bucket.start;
  }
  if (single) path += " h0.1";
  return path;
}

struct TickStep {
  microseconds length;
  bool daily;  // labels are dates
};

TickStep tick_step(microseconds span) {
  using std::chrono::days;
  using std::chrono::hours;
  constexpr std::array<hours, 12> kSteps = {hours(1),  hours(2), hours(3), hours(6),
                                            hours(12), days(1),  days(2),  days(7),
                                            days(14),  days(28), days(56), days(112)};
  for (const hours step : kSteps) {
    if (span / microseconds(step) <= kMaxXTicks) return {microseconds(step), step >= days(1)};
  }
  return {microseconds(kSteps.back()), true};
}

std::string tick_label(WallTime time, bool daily) {
  const std::string stamp = format_timestamp(time);  // YYYY-MM-DDTHH:MM:SS...
  const bool midnight = stamp.substr(11, 5) == "00:00";
  return daily || midnight ? stamp.substr(5, 5) : stamp.substr(11, 5);
}

std::string x_axis(const SiteWindow& window, const Scale& scale) {
  const TickStep step = tick_step(window.to - window.from);
  // Ticks at multiples of the step since the epoch (UTC midnights for whole days).
  const auto first_count =
      (window.from.time_since_epoch() + step.length - microseconds(1)) / step.length;
  std::string out;
  int index = 0;
  for (WallTime tick(first_count * step.length); tick < window.to; tick += step.length, ++index) {
    const std::string x = coordinate(scale.x(tick));
    out += fmt::format(
        R"(<g class="tick{}"><line class="grid" stroke="#e4e7eb" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>)"
        R"(<text x="{x}" y="{label_y}" text-anchor="middle">{label}</text></g>)",
        index % 2 == 1 ? " minor" : "", fmt::arg("x", x), fmt::arg("top", kPlotTop),
        fmt::arg("bottom", kPlotBottom), fmt::arg("label_y", kPlotBottom + 18),
        fmt::arg("label", tick_label(tick, step.daily)));
  }
  out += fmt::format(R"(<text class="unit" x="{}" y="{}" text-anchor="end">UTC</text>)", kPlotRight,
                     kChartHeight - 2);
  return out;
}

std::string y_axis(double ceiling_ms, const Scale& scale) {
  std::string out;
  for (int i = 0; i <= kGridLines; ++i) {
    const double ms = ceiling_ms * i / kGridLines;
    const std::string y = coordinate(scale.y(ms));
    out += fmt::format(
        R"(<g class="tick{}"><line class="grid" stroke="#e4e7eb" x1="{}" x2="{}" y1="{y}" y2="{y}"/>)"
        R"(<text x="{}" y="{y}" dy="-4">{}</text></g>)",
        i % 2 == 1 ? " minor" : "", kPlotLeft, kPlotRight, kPlotLeft + 4, ms_label(ms),
        fmt::arg("y", y));
  }
  return out;
}

std::string shading(const SiteWindow& window, const std::vector<SiteBucket>& buckets,
                    const std::vector<Incident>& incidents, const Scale& scale) {
  std::string out;
  const microseconds length = bucket_length(window.step);
  for (const SiteBucket& bucket : buckets) {
    if (bucket.count.up_checks >= bucket.count.checks) continue;
    const double x = scale.x(bucket.start);
    const double width = std::max(scale.x(bucket.start + length) - x, 1.0);
    out += fmt::format(
        R"(<rect class="failing" fill="#fcefd9" x="{}" y="{}" width="{}" height="{}"><title>{}: {} of {} checks )"
        R"(failed</title></rect>)",
        coordinate(x), kPlotTop, coordinate(width), kPlotBottom - kPlotTop, time_text(bucket.start),
        bucket.count.checks - bucket.count.up_checks, bucket.count.checks);
  }
  for (const Incident& incident : incidents) {
    const double x = scale.x(incident.start);
    const double width = std::max(scale.x(incident.end.value_or(window.to)) - x, 1.5);
    const std::string end = incident.end ? time_text(*incident.end) : std::string("ongoing");
    out += fmt::format(
        R"(<rect class="down" fill="#f8d0cb" x="{}" y="{}" width="{}" height="{}"><title>down {} – {}</title>)"
        R"(</rect>)",
        coordinate(x), kPlotTop, coordinate(width), kPlotBottom - kPlotTop,
        html_escape(time_text(incident.start)), html_escape(end));
  }
  return out;
}

}  // namespace

double chart_ceiling_ms(double max_ms) {
  if (!(max_ms > 0)) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(max_ms)));
  for (;;) {
    for (const double factor : {1.0, 2.0, 5.0}) {
      if (factor * magnitude >= max_ms) return factor * magnitude;
    }
    magnitude *= 10;
  }
}

std::string response_time_chart_svg(const SiteWindow& window,
                                    const std::vector<SiteBucket>& buckets,
                                    const std::vector<Incident>& incidents) {
  std::int64_t highest_us = 0;
  bool any_point = false;
  for (const SiteBucket& bucket : buckets) {
    for (const auto& value : {bucket.p50_response_us, bucket.p95_response_us}) {
      if (!value) continue;
      any_point = true;
      highest_us = std::max(highest_us, *value);
    }
  }
  const double ceiling_ms = chart_ceiling_ms(static_cast<double>(highest_us) / 1000.0);
  const Scale scale(window, ceiling_ms);
  std::string out = fmt::format(
      R"(<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" )"
      R"(font-family="system-ui, sans-serif" font-size="11" fill="#616e7c" )"
      R"(aria-label="response time p50 and p95 per {}, {} to {}">)",
      kChartWidth, kChartHeight, window.step == HistoryStep::kHour ? "hour" : "day",
      time_text(window.from), time_text(window.to));
  out += shading(window, buckets, incidents, scale);
  out += y_axis(ceiling_ms, scale);
  out += x_axis(window, scale);
  out += fmt::format(
      R"(<rect class="frame" fill="none" stroke="#cbd2d9" x="{}" y="{}" width="{}" height="{}"/>)",
      kPlotLeft, kPlotTop, kPlotRight - kPlotLeft, kPlotBottom - kPlotTop);
  if (any_point) {
    out += fmt::format(
        R"(<path class="p95" {line} stroke="#d97706" d="{}"/><path class="p50" {line} stroke="#2563eb" d="{}"/>)",
        line_path(buckets, scale, window.step, &SiteBucket::p95_response_us),
        line_path(buckets, scale, window.step, &SiteBucket::p50_response_us),
        fmt::arg("line", kLineAttributes));
  } else {
    out += fmt::format(
        R"(<text class="empty" x="{}" y="{}" text-anchor="middle">no response times in this )"
        R"(window</text>)",
        (kPlotLeft + kPlotRight) / 2, (kPlotTop + kPlotBottom) / 2);
  }
  out += "</svg>";
  return out;
}

}  // namespace hc::serve
