// RFC 3339 UTC timestamps of message v1 (declared in message.h).
#include <ctime>

#include "hc/common/message.h"

namespace hc {
namespace {

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`.
char* put_digits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

void append_timestamp(std::string& out, WallTime time) {
  // Hand-formatted: this runs for every message on both sides of the pipeline.
  const auto days = std::chrono::floor<std::chrono::days>(time);
  const std::chrono::year_month_day date(days);
  const std::chrono::hh_mm_ss clock(std::chrono::duration_cast<std::chrono::microseconds>(
      time - std::chrono::time_point_cast<std::chrono::microseconds>(days)));
  // "YYYY-MM-DDTHH:MM:SS.ffffffZ"
  constexpr std::size_t kLength = 27;
  const std::size_t start = out.size();
  out.resize(start + kLength);
  char* text = out.data() + start;
  text = put_digits(text, static_cast<int>(date.year()), 4);
  *text++ = '-';
  text = put_digits(text, static_cast<unsigned>(date.month()), 2);
  *text++ = '-';
  text = put_digits(text, static_cast<unsigned>(date.day()), 2);
  *text++ = 'T';
  text = put_digits(text, clock.hours().count(), 2);
  *text++ = ':';
  text = put_digits(text, clock.minutes().count(), 2);
  *text++ = ':';
  text = put_digits(text, clock.seconds().count(), 2);
  *text++ = '.';
  text = put_digits(text, clock.subseconds().count(), 6);
  *text = 'Z';
}

std::string format_timestamp(WallTime time) {
  std::string text;
  append_timestamp(text, time);
  return text;
}

std::optional<WallTime> parse_timestamp(std::string_view text) {
  // Accepts "YYYY-MM-DDTHH:MM:SS[.f...]Z" (1 to 9 fraction digits, microseconds kept): what
  // format_timestamp writes. Every number is unsigned decimal digits only, so "-001" or
  // "+100" is no year; the result must lie in years 0001..9999, which PostgreSQL stores
  // as written (it refuses year 0; five-digit years do not fit the layout).
  auto number = [&](std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z' || !number(0, 4, year) || !number(5, 2, month) ||
      !number(8, 2, day) || !number(11, 2, hour) || !number(14, 2, minute) ||
      !number(17, 2, second)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  std::size_t pos = 19;
  if (text[pos] == '.') {
    std::size_t digits = 0;
    for (++pos; pos < text.size() - 1; ++pos, ++digits) {
      char c = text[pos];
      if (c < '0' || c > '9' || digits >= 9) return std::nullopt;
      if (digits < 6) micros = micros * 10 + (c - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (pos != text.size() - 1) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                   std::chrono::day(day)};
  // Second 60 (a leap second) is the next minute's 00, as PostgreSQL reads it.
  if (year < 1 || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  auto days = std::chrono::sys_days(date);
  WallTime time(std::chrono::duration_cast<std::chrono::microseconds>(
                    days.time_since_epoch() + std::chrono::hours(hour) +
                    std::chrono::minutes(minute) + std::chrono::seconds(second)) +
                std::chrono::microseconds(micros));
  // 9999-12-31T23:59:60Z would be year 10000.
  constexpr auto kEnd = std::chrono::sys_days(std::chrono::year(10000) / 1 / 1);
  if (time >= kEnd) return std::nullopt;
  return time;
}

}  // namespace hc
