#include "uptime_bar.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <map>

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
  std::map<std::chrono::sys_days, UptimeCount> by_day;
  for (const auto& day : days) {
    const auto date = std::chrono::floor<std::chrono::days>(day.day);
    if (date < first || date > today) continue;
    auto& count = by_day[std::chrono::sys_days(date)];
    count.checks += day.count.checks;
    count.up_checks += day.count.up_checks;
  }
  const int width = kBarStep * (kOverviewDays - 1) + kBarWidth;
  std::string out =
      fmt::format(R"(<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" )"
                  R"(viewBox="0 0 {0} {1}" role="img" aria-label="uptime per day, last {2} days">)",
                  width, kBarHeight, kOverviewDays);
  for (int i = 0; i < kOverviewDays; ++i) {
    const std::chrono::sys_days day(first + std::chrono::days(i));
    const auto found = by_day.find(day);
    const UptimeCount count = found == by_day.end() ? UptimeCount{} : found->second;
    const std::string_view grade = uptime_grade(count);
    const std::string tooltip = count.checks > 0
                                    ? fmt::format("{}: {} up ({} checks)", day_text(day),
                                                  percent_text(*count.percent()), count.checks)
                                    : fmt::format("{}: no checks", day_text(day));
    out += fmt::format(R"(<rect class="{}" x="{}" width="{}" height="{}"><title>{}</title></rect>)",
                       grade, i * kBarStep, kBarWidth, kBarHeight, tooltip);
  }
  out += "</svg>";
  return out;
}

}  // namespace hc::serve
