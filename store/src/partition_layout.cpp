#include "partition_layout.h"

#include <fmt/format.h>

#include <algorithm>

#include "hc/common/url_digest.h"

namespace hc::store {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::size_t kMaxIdentifierBytes = 63;

sys_days first_day(PartitionInterval interval, WallTime time) {
  const sys_days day = std::chrono::floor<days>(time);
  switch (interval) {
    case PartitionInterval::kDay:
      return day;
    case PartitionInterval::kWeek:
      return day - (std::chrono::weekday(day) - std::chrono::Monday);
    case PartitionInterval::kMonth: {
      const year_month_day date(day);
      return sys_days(date.year() / date.month() / 1);
    }
  }
  return day;
}

WallTime at(sys_days day) { return std::chrono::time_point_cast<std::chrono::microseconds>(day); }

bool covered(const std::vector<PartitionRange>& ranges, WallTime time) {
  return std::ranges::any_of(ranges, [time](const PartitionRange& r) { return r.contains(time); });
}

// The regular partition for `time` clipped to the gap between `ranges` it falls in.
// REQUIRES: no range contains `time`.
PartitionRange regular_range(const std::vector<PartitionRange>& ranges, PartitionInterval interval,
                             WallTime time) {
  PartitionRange range{interval_start(interval, time), next_interval_start(interval, time)};
  for (const auto& other : ranges) {
    if (other.upper && *other.upper <= time) range.lower = std::max(*range.lower, *other.upper);
    if (other.lower && *other.lower > time) range.upper = std::min(*range.upper, *other.lower);
  }
  return range;
}

std::vector<PartitionRange> ranges_of(const std::vector<Partition>& partitions) {
  std::vector<PartitionRange> ranges;
  ranges.reserve(partitions.size());
  for (const auto& partition : partitions) ranges.push_back(partition.range);
  return ranges;
}

}  // namespace

WallTime interval_start(PartitionInterval interval, WallTime time) {
  return at(first_day(interval, time));
}

WallTime next_interval_start(PartitionInterval interval, WallTime time) {
  const sys_days first = first_day(interval, time);
  switch (interval) {
    case PartitionInterval::kDay:
      return at(first + days(1));
    case PartitionInterval::kWeek:
      return at(first + days(7));
    case PartitionInterval::kMonth:
      return at(sys_days(year_month_day(first) + std::chrono::months(1)));
  }
  return at(first + days(1));
}

std::string partition_name(const std::string& table, const PartitionRange& range) {
  std::string suffix = "_before";
  if (range.lower) {
    const sys_days day = std::chrono::floor<days>(*range.lower);
    const year_month_day date(day);
    suffix = fmt::format("_p{:04}{:02}{:02}", static_cast<int>(date.year()),
                         static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    const auto time_of_day = *range.lower - at(day);
    if (time_of_day.count() != 0) {
      suffix += fmt::format("_{:012}", time_of_day.count());  // never made by hc's own plans
    }
  }
  return derived_identifier(table, suffix);
}

std::string derived_identifier(const std::string& table, const std::string& suffix) {
  if (table.size() + suffix.size() <= kMaxIdentifierBytes) return table + suffix;
  // "<first bytes of the name>_<8 hex digits of its SHA-256><suffix>": still unique.
  const std::string hash = url_digest(table).substr(0, 8);
  return table.substr(0, kMaxIdentifierBytes - suffix.size() - hash.size() - 1) + "_" + hash +
         suffix;
}

std::string catch_all_name(const std::string& table) { return partition_name(table, {}); }

std::vector<PartitionRange> missing_partitions(const std::vector<Partition>& existing,
                                               const std::vector<WallTime>& times,
                                               PartitionInterval interval, WallTime now) {
  std::vector<PartitionRange> all = ranges_of(existing);
  std::vector<PartitionRange> planned;
  const auto plan = [&](PartitionRange range) {
    all.push_back(range);
    planned.push_back(range);
  };
  for (const WallTime time : times) {
    if (covered(all, time)) continue;
    if (all.empty()) {
      plan({std::nullopt, interval_start(interval, now)});
      if (covered(all, time)) continue;
    }
    const auto lowest = std::ranges::min(
        all, {}, [](const PartitionRange& r) { return r.lower.value_or(WallTime::min()); });
    if (lowest.lower && time < *lowest.lower) {
      plan({std::nullopt, lowest.lower});
    } else {
      plan(regular_range(all, interval, time));
    }
  }
  return planned;
}

std::vector<WallTime> intervals_ahead(PartitionInterval interval, WallTime now) {
  // `now` itself, not the start of its interval: a new table's catch-all ends today, so a week
  // or month that began before today is covered only up to today, and its rest needs a
  // partition (clipped to the gap) as much as the intervals after it.
  std::vector<WallTime> times = {now};
  WallTime start = next_interval_start(interval, now);
  for (int i = 0; i < kPartitionsAhead; ++i) {
    times.push_back(start);
    start = next_interval_start(interval, start);
  }
  return times;
}

std::vector<Partition> expired_partitions(const std::vector<Partition>& existing, WallTime now,
                                          int retention_days) {
  std::vector<Partition> expired;
  if (retention_days <= 0) return expired;
  const WallTime horizon = now - days(retention_days);
  for (const auto& partition : existing) {
    if (partition.range.upper && *partition.range.upper <= horizon) expired.push_back(partition);
  }
  return expired;
}

std::string bound_sql(const std::optional<WallTime>& bound, bool upper) {
  if (!bound) return upper ? "MAXVALUE" : "MINVALUE";
  return "'" + format_timestamp(*bound) + "'";
}

}  // namespace hc::store

namespace hc {

RowFate row_fate(WallTime time, WallTime now, int retention_days) {
  if (time > now + kFutureLimit) return RowFate::kTooFarAhead;
  if (retention_days > 0 && time < now - std::chrono::days(retention_days))
    return RowFate::kExpired;
  return RowFate::kWrite;
}

}  // namespace hc
