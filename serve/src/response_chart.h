// A site's response-time chart: inline SVG, no script, drawn from the window's buckets (p50 and
// p95 per hour or per UTC day) with its downtime shaded. Pure.
#pragma once

#include <string>
#include <vector>

#include "hc/store/site_detail.h"

namespace hc::serve {

// The chart's coordinate system (its viewBox); the page scales it to its width (CSS
// `width: 100%`), so it reads at 320 px as at 1600 px: on narrow screens the page's CSS
// gives it a minimum width (the section scrolls), enlarges the labels and hides the ticks of
// class "minor". The y labels sit inside the plot, above their gridlines.
inline constexpr int kChartWidth = 960;
inline constexpr int kChartHeight = 280;
inline constexpr int kPlotLeft = 12;
inline constexpr int kPlotRight = kChartWidth - 12;
inline constexpr int kPlotTop = 24;
inline constexpr int kPlotBottom = kChartHeight - 32;

// An <svg class="chart"> over [window.from, window.to):
// - one <path class="p95"> and one <path class="p50">, a point per bucket with response times
//   at the middle of its bucket (clamped to the window), the line broken where a bucket has
//   none (an isolated point is drawn as a dot);
// - a <rect class="down"> per incident (clipped to the window) with a <title> of its span, and
//   a <rect class="failing"> per bucket with failed checks (the failures the events may not
//   show: a site without an events table, a failure that did not change the state);
// - y from 0 to a round number of ms at or above the highest p95, 4 gridlines labelled in ms;
//   x ticks at round UTC times (hours, days or weeks), labelled "HH:MM", "MM-DD" at midnight,
//   every other tick "minor"; the axis is labelled UTC.
// No bucket with response times: the axes and the text "no response times in this window".
// REQUIRES: window.from < window.to. Every text is ours or html_escape'd (valid XML).
std::string response_time_chart_svg(const SiteWindow& window,
                                    const std::vector<SiteBucket>& buckets,
                                    const std::vector<Incident>& incidents);

// The top of the y axis: the smallest of 1, 2, 5 x 10^k ms at or above `max_ms` (1 for 0).
double chart_ceiling_ms(double max_ms);

}  // namespace hc::serve
