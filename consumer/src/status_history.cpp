// read_site_history: one site's buckets, hourly or per UTC day.
#include <fmt/format.h>

#include <pqxx/pqxx>

#include "hc/common/url_digest.h"
#include "hc/consumer/status.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "status_tables.h"

namespace hc {
namespace {

using consumer::optional_field;
using consumer::quote_identifier;

// The site's URL as stored, when the table has it (the primary key's digest finds it).
std::string site_url_sql(const std::string& table) {
  return fmt::format("SELECT uri FROM {} WHERE url_digest = decode($1, 'hex')",
                     quote_identifier(consumer::latest_table_name(table)));
}

// $1 digest (hex), $2 since (microseconds since the epoch). Step hour: the hours of
// <table>_hourly, each with its own p95. Step day: days_of_sites_sql (whole closed days from the
// daily rollup, the others summed from hours), each day's p95 from its summed histogram.
std::string history_sql(const std::string& table, HistoryStep step) {
  const std::string since = "to_timestamp($2::double precision / 1e6)";
  if (step == HistoryStep::kHour) {
    return fmt::format(
        R"(SELECT (extract(epoch FROM hour) * 1000000)::bigint, checks, up_checks,
       p95_response_us::bigint
FROM {hourly}
WHERE url_digest = decode($1, 'hex') AND hour >= {first_hour}
ORDER BY hour)",
        fmt::arg("hourly", quote_identifier(consumer::hourly_view_name(table))),
        fmt::arg("first_hour", consumer::hour_of_sql(since)));
  }
  return fmt::format(
      R"(SELECT (extract(epoch FROM day) * 1000000)::bigint, checks, up_checks,
       hc_histogram_percentile(latency_histogram, 0.95, min_response_us, max_response_us)::bigint
FROM {days} AS d
ORDER BY day)",
      fmt::arg("days", consumer::days_of_sites_sql(table, consumer::day_of_sql(since),
                                                   "ARRAY[decode($1, 'hex')]")));
}

}  // namespace

std::optional<SiteHistory> read_site_history(const ConsumerConfig& config, const std::string& url,
                                             const std::string& table, WallTime since,
                                             HistoryStep step) {
  const std::string digest = url_digest(url);
  const std::int64_t since_us = since.time_since_epoch().count();
  std::optional<SiteHistory> history;
  consumer::for_each_status_table(
      config, "site history", [&](pqxx::transaction_base& transaction, const std::string& name) {
        if (!table.empty() && name != table) return true;
        pqxx::result found = transaction.exec_params(site_url_sql(name), digest);
        if (found.empty()) return true;
        history = SiteHistory{name, found[0][0].as<std::string>(), {}};
        for (const auto& row : transaction.exec_params(history_sql(name, step), digest, since_us)) {
          history->buckets.push_back(
              HistoryBucket{WallTime(std::chrono::microseconds(row[0].as<std::int64_t>())),
                            UptimeCount{row[1].as<std::int64_t>(), row[2].as<std::int64_t>()},
                            optional_field<std::int64_t>(row[3])});
        }
        return false;
      });
  return history;
}

}  // namespace hc
