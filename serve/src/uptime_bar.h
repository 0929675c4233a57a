// The status page's uptime bar: one day per bar, as inline SVG (no script, no external file).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hc/store/status.h"

namespace hc::serve {

// How a span's uptime is judged, one word per colour: "none" (no checks), "good" (>= 99.9 %),
// "fair" (>= 99 %), "poor" (>= 95 %), "bad" (below).
std::string_view uptime_grade(const UptimeCount& count);

// An <svg> of the kOverviewDays UTC days ending with the day of `now`, oldest on the left: one
// <path> per run of consecutive days of one grade, its class the grade (the page's CSS colours
// it and dashes it into one bar per day: .bar path, .bar .good ...), with a <title> tooltip for
// the run ("2026-11-25: 99.93% up (1440 checks)", "2026-11-20 – 2026-11-25: 100% up (8640
// checks)", "2026-11-25: no checks"). `days` may be sparse and in any order; days outside the
// span are ignored.
std::string uptime_bar_svg(const std::vector<DailyUptime>& days, WallTime now);

// "99.93%", with two decimals below 100 so that 99.999 never reads as 100.
std::string percent_text(double percent);

}  // namespace hc::serve
