#include "window_total.h"

#include <algorithm>
#include <cmath>
#include <pqxx/pqxx>
#include <string_view>

namespace hc::store {

void WindowTotal::add(const pqxx::row& row, pqxx::row::size_type first) {
  const pqxx::field checks_field = row[first];
  if (checks_field.is_null()) return;
  const auto checks = checks_field.as<std::int64_t>();
  checks_ += checks;
  up_checks_ += row[first + 1].as<std::int64_t>();
  const pqxx::field histogram = row[first + 2];
  if (!histogram.is_null()) {
    histogram_.add(std::string_view(histogram.c_str(), histogram.size()));
  } else if (!row[first + 3].is_null()) {
    histogram_.add_bucket(row[first + 3].as<int>(), checks);
  }
  const pqxx::field min_field = row[first + 4];
  const pqxx::field max_field = row[first + 5];
  if (!min_field.is_null() && !max_field.is_null()) {
    const auto min_us = min_field.as<std::int64_t>();
    const auto max_us = max_field.as<std::int64_t>();
    min_us_ = std::min(min_us_.value_or(min_us), min_us);
    max_us_ = std::max(max_us_.value_or(max_us), max_us);
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
