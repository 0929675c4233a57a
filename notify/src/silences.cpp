#include "silences.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <algorithm>
#include <stdexcept>

namespace hc::notify {

struct Silences::Compiled {
  const NotifySilence* silence;
  std::unique_ptr<RE2> url_regex;
  cctz::time_zone zone;
};

namespace {

// 0 = Sunday .. 6 = Saturday, as NotifySilence::weekdays.
int weekday_number(const cctz::civil_day& day) {
  switch (cctz::get_weekday(day)) {
    case cctz::weekday::sunday:
      return 0;
    case cctz::weekday::monday:
      return 1;
    case cctz::weekday::tuesday:
      return 2;
    case cctz::weekday::wednesday:
      return 3;
    case cctz::weekday::thursday:
      return 4;
    case cctz::weekday::friday:
      return 5;
    case cctz::weekday::saturday:
      return 6;
  }
  return 0;
}

bool in_weekly_window(const NotifySilence& silence, const cctz::time_zone& zone,
                      std::chrono::system_clock::time_point at) {
  const cctz::civil_second local = cctz::convert(at, zone);
  const int minute = static_cast<int>(local.hour()) * 60 + static_cast<int>(local.minute());
  const cctz::civil_day today(local);
  auto listed = [&](const cctz::civil_day& day) {
    return silence.weekdays.empty() || std::find(silence.weekdays.begin(), silence.weekdays.end(),
                                                 weekday_number(day)) != silence.weekdays.end();
  };
  const int start = silence.window_start_minute;
  const int end = silence.window_end_minute;
  if (start < end) return listed(today) && minute >= start && minute < end;
  // Spans midnight: the evening part on a listed day, the morning part after one.
  return (listed(today) && minute >= start) || (listed(today - 1) && minute < end);
}

}  // namespace

Silences::Silences(const std::vector<NotifySilence>& silences) {
  for (const NotifySilence& silence : silences) {
    auto compiled = std::make_unique<Compiled>();
    compiled->silence = &silence;
    RE2::Options options;
    options.set_log_errors(false);
    compiled->url_regex = std::make_unique<RE2>(silence.url_regex, options);
    if (!compiled->url_regex->ok()) {
      throw std::invalid_argument("silence " + silence.name + ": bad url_regex");
    }
    if (!cctz::load_time_zone(silence.time_zone, &compiled->zone)) {
      throw std::invalid_argument("silence " + silence.name + ": unknown time zone " +
                                  silence.time_zone);
    }
    silences_.push_back(std::move(compiled));
  }
}

Silences::~Silences() = default;

std::optional<std::string> Silences::silenced_by(const StateEvent& event) const {
  const auto at = std::chrono::time_point_cast<std::chrono::system_clock::duration>(event.at);
  for (const auto& compiled : silences_) {
    const NotifySilence& silence = *compiled->silence;
    if (!RE2::PartialMatch(event.url, *compiled->url_regex)) continue;
    if (silence.starts_at && at < *silence.starts_at) continue;
    if (silence.ends_at && at >= *silence.ends_at) continue;
    if (silence.window_start_minute >= 0 && !in_weekly_window(silence, compiled->zone, at)) {
      continue;
    }
    return silence.name;
  }
  return std::nullopt;
}

}  // namespace hc::notify
