#include "hc/common/silences.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>
#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace hc {

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

// Whether the weekly window of `silence` opens on the local `day`.
bool listed(const NotifySilence& silence, const cctz::civil_day& day) {
  return silence.weekdays.empty() || std::find(silence.weekdays.begin(), silence.weekdays.end(),
                                               weekday_number(day)) != silence.weekdays.end();
}

bool in_weekly_window(const NotifySilence& silence, const cctz::time_zone& zone,
                      std::chrono::system_clock::time_point at) {
  const cctz::civil_second local = cctz::convert(at, zone);
  const int minute = static_cast<int>(local.hour()) * 60 + static_cast<int>(local.minute());
  const cctz::civil_day today(local);
  const int start = silence.window_start_minute;
  const int end = silence.window_end_minute;
  if (start < end) return listed(silence, today) && minute >= start && minute < end;
  // Spans midnight: the evening part on a listed day, the morning part after one.
  return (listed(silence, today) && minute >= start) ||
         (listed(silence, today - 1) && minute < end);
}

// `minute` (0..1440) of the local `day` as an instant: cctz's rule for local times that do
// not exist (a DST gap: the time before the change is used) or exist twice (the first).
std::chrono::sys_seconds local_minute(const cctz::time_zone& zone, const cctz::civil_day& day,
                                      int minute) {
  return cctz::convert(
      cctz::civil_second(day.year(), day.month(), day.day(), minute / 60, minute % 60, 0), zone);
}

// Unbounded starts sort first.
bool starts_before(const SilencePeriod& a, const SilencePeriod& b) {
  if (!b.starts_at) return false;
  return !a.starts_at || *a.starts_at < *b.starts_at;
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

std::vector<SilencePeriod> Silences::periods(std::string_view url, std::chrono::sys_seconds from,
                                             std::chrono::sys_seconds to) const {
  std::vector<SilencePeriod> out;
  for (const auto& compiled : silences_) {
    const NotifySilence& silence = *compiled->silence;
    if (!RE2::PartialMatch(url, *compiled->url_regex)) continue;
    // [start, end) within the silence's own range, kept when it overlaps [from, to).
    auto add = [&](std::optional<std::chrono::sys_seconds> start,
                   std::optional<std::chrono::sys_seconds> end) {
      if (silence.starts_at && (!start || *start < *silence.starts_at)) start = silence.starts_at;
      if (silence.ends_at && (!end || *end > *silence.ends_at)) end = silence.ends_at;
      if ((start && end && *start >= *end) || (end && *end <= from) || (start && *start >= to)) {
        return;
      }
      out.push_back(SilencePeriod{silence.name, start, end});
    };
    if (silence.window_start_minute < 0) {
      add(std::nullopt, std::nullopt);
      continue;
    }
    // Every local day whose window can overlap [from, to): from the day before `from`'s (its
    // window may span midnight) to `to`'s.
    const cctz::time_zone& zone = compiled->zone;
    const cctz::civil_day last(cctz::convert(to, zone));
    for (cctz::civil_day day = cctz::civil_day(cctz::convert(from, zone)) - 1; day <= last; ++day) {
      if (!listed(silence, day)) continue;
      const int start = silence.window_start_minute;
      const int end = silence.window_end_minute;
      add(local_minute(zone, day, start), local_minute(zone, start < end ? day : day + 1, end));
    }
  }
  std::stable_sort(out.begin(), out.end(), starts_before);
  return out;
}

}  // namespace hc
