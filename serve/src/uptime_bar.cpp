#include "uptime_bar.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cmath>

namespace hc::serve {
namespace {

constexpr int kBarWidth = 2;
constexpr int kBarStep = 3;
constexpr int kBarHeight = 24;

std::string day_text(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

}  // namespace

std::string_view uptime_grade(const UptimeCount& count) {
  const auto percent = count.percent();
  if (!percent) return "none";
  if (*percent >= 99.9) return "good";
  if (*percent >= 99.0) return "fair";
  if (*percent >= 95.0) return "poor";
  return "bad";
}

std::string percent_text(double percent) {
  if (percent >= 100.0) return "100%";
  // Truncated, not rounded: 99.999 shows as 99.99%, never as 100%.
  return fmt::format("{:.2f}%", std::floor(percent * 100.0) / 100.0);
}

std::string uptime_bar_svg(const std::vector<DailyUptime>& days, WallTime now) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  const auto first = today - std::chrono::days(kOverviewDays - 1);
  std::array<UptimeCount, kOverviewDays> by_day{};
  for (const auto& day : days) {
    const auto date = std::chrono::floor<std::chrono::days>(day.day);
    if (date < first || date > today) continue;
    auto& count = by_day[static_cast<std::size_t>((date - first).count())];
    count.checks += day.count.checks;
    count.up_checks += day.count.up_checks;
  }
  const int width = kBarStep * (kOverviewDays - 1) + kBarWidth;
  std::string out =
      fmt::format(R"(<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
                  R"(viewBox="0 0 {0} {1}" role="img" aria-label="uptime per day, last {2} days">)",
                  width, kBarHeight, kOverviewDays);
  // A run of days of one grade is one line across them, its stroke dashed into one bar per day
  // by the page's CSS (.bar path: stroke-dasharray 2 1, as kBarWidth and kBarStep): a run
  // starts at a multiple of kBarStep and is kBarStep per day long, so its dashes fall on days.
  for (std::size_t start = 0; start < by_day.size();) {
    const std::string_view grade = uptime_grade(by_day[start]);
    UptimeCount count = by_day[start];
    std::size_t end = start + 1;
    for (; end < by_day.size() && uptime_grade(by_day[end]) == grade; ++end) {
      count.checks += by_day[end].checks;
      count.up_checks += by_day[end].up_checks;
    }
    const std::chrono::sys_days first_day(first + std::chrono::days(start));
    const std::chrono::sys_days last_day(first + std::chrono::days(end - 1));
    const std::string span =
        end - start == 1 ? day_text(first_day) : day_text(first_day) + " – " + day_text(last_day);
    const std::string tooltip = count.checks > 0
                                    ? fmt::format("{}: {} up ({} checks)", span,
                                                  percent_text(*count.percent()), count.checks)
                                    : fmt::format("{}: no checks", span);
    out += fmt::format(R"(<path class="{}" d="M{} {}h{}"><title>{}</title></path>)", grade,
                       static_cast<int>(start) * kBarStep, kBarHeight / 2,
                       static_cast<int>(end - start) * kBarStep, tooltip);
    start = end;
  }
  out += "</svg>";
  return out;
}

}  // namespace hc::serve
