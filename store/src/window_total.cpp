#include "window_total.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

namespace hc::store {

std::string raw_part_sql(std::string_view raw_rows) {
  return fmt::format(
      R"((SELECT url_digest, sum(n)::bigint AS checks, sum(up)::bigint AS up_checks,
         string_agg(coalesce(bucket, 0) || ':' || n, ',') AS buckets, min(min_us) AS min_us,
         max(max_us) AS max_us
  FROM (SELECT url_digest, hc_latency_bucket(response_time_microseconds) AS bucket,
               count(*) AS n, count(*) FILTER (WHERE hc_measurement_up(healthy, error)) AS up,
               min(response_time_microseconds) AS min_us, max(response_time_microseconds) AS max_us
        FROM {} GROUP BY 1, 2) AS per_bucket
  GROUP BY url_digest))",
      raw_rows);
}

bool WindowTotal::add_counts(const pqxx::row& row, pqxx::row::size_type first) {
  const pqxx::field checks = row[first];
  if (checks.is_null()) return false;
  checks_ += checks.as<std::int64_t>();
  up_checks_ += row[first + 1].as<std::int64_t>();
  const pqxx::field min_field = row[first + 3];
  const pqxx::field max_field = row[first + 4];
  if (!min_field.is_null() && !max_field.is_null()) {
    const auto min_us = min_field.as<std::int64_t>();
    const auto max_us = max_field.as<std::int64_t>();
    min_us_ = std::min(min_us_.value_or(min_us), min_us);
    max_us_ = std::max(max_us_.value_or(max_us), max_us);
  }
  return true;
}

void WindowTotal::add_closed(const pqxx::row& row, pqxx::row::size_type first) {
  if (!add_counts(row, first)) return;
  const pqxx::field histogram = row[first + 2];
  if (!histogram.is_null()) histogram_.add(std::string_view(histogram.c_str(), histogram.size()));
}

void WindowTotal::add_raw(const pqxx::row& row, pqxx::row::size_type first) {
  if (!add_counts(row, first)) return;
  const pqxx::field buckets = row[first + 2];
  if (!buckets.is_null()) add_buckets(std::string_view(buckets.c_str(), buckets.size()));
}

void WindowTotal::add_buckets(std::string_view pairs) {
  const char* at = pairs.data();
  const char* const end = pairs.data() + pairs.size();
  while (at < end) {
    int bucket = 0;
    std::int64_t count = 0;
    const auto [bucket_end, bucket_error] = std::from_chars(at, end, bucket);
    const bool colon = bucket_error == std::errc() && bucket_end < end && *bucket_end == ':';
    const auto [count_end, count_error] =
        colon ? std::from_chars(bucket_end + 1, end, count) : std::from_chars_result{end, {}};
    if (!colon || count_error != std::errc() || (count_end != end && *count_end != ',')) {
      throw std::invalid_argument("window part: expected bucket:count pairs: " +
                                  std::string(pairs));
    }
    if (bucket != 0) histogram_.add_bucket(bucket, count);  // 0: no response time
    at = count_end == end ? end : count_end + 1;
  }
}

double WindowTotal::uptime_percent() const {
  return checks_ > 0 ? 100.0 * static_cast<double>(up_checks_) / static_cast<double>(checks_) : 0.0;
}

std::optional<std::int64_t> WindowTotal::percentile(double fraction) const {
  if (!min_us_ || !max_us_) return std::nullopt;
  const auto value = histogram_.percentile(fraction, *min_us_, *max_us_);
  if (!value) return std::nullopt;
  return static_cast<std::int64_t>(std::nearbyint(*value));
}

}  // namespace hc::store
