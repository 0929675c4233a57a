// read_site_history: one site's buckets, hourly or per UTC day.
#include <fmt/format.h>

#include <pqxx/pqxx>

#include "hc/common/url_redaction.h"
#include "hc/store/status.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "rollups.h"
#include "status_tables.h"

namespace hc {
namespace {

using store::optional_field;
using store::quote_identifier;

// The site's URL as stored, when the table has it (the primary key's digest finds it).
std::string site_url_sql(const std::string& table) {
  return fmt::format("SELECT uri FROM {} WHERE url_digest = decode($1, 'hex')",
                     quote_identifier(store::latest_table_name(table)));
}

// $1 digest (hex), $2 the first bucket (timestamptz text: the hour or day of `since`, computed
// in C++ so that it prunes partitions when planned), $3..$6 the table's RollupBounds.
// Step hour: hours_of_sites_sql; step day: days_of_sites_sql (whole closed days from the daily
// rollup, the others summed from hours). Each bucket's p95 from its (summed) histogram.
std::string history_sql(const std::string& table, HistoryStep step) {
  const store::RollupBoundParams bounds{"$3::timestamptz", "$4::timestamptz[]", "$5::timestamptz",
                                        "$6::timestamptz"};
  const std::string site = "ARRAY[decode($1, 'hex')]";
  const bool hourly = step == HistoryStep::kHour;
  return fmt::format(
      R"(SELECT (extract(epoch FROM {start}) * 1000000)::bigint, checks, up_checks,
       hc_histogram_percentile(latency_histogram, 0.95, min_response_us, max_response_us)::bigint
FROM {buckets} AS b
ORDER BY {start})",
      fmt::arg("start", hourly ? "hour" : "day"),
      fmt::arg("buckets", hourly
                              ? store::hours_of_sites_sql(table, "$2::timestamptz", site, bounds)
                              : store::days_of_sites_sql(table, "$2::timestamptz", site, bounds)));
}

}  // namespace

std::optional<SiteHistory> read_site_history(const ConsumerConfig& config,
                                             const std::string& digest, const std::string& table,
                                             WallTime since, HistoryStep step,
                                             ConnectionPool* pool) {
  const std::string first_bucket = format_timestamp(
      step == HistoryStep::kHour ? store::hour_floor(since) : store::day_floor(since));
  std::optional<SiteHistory> history;
  store::for_each_status_table(
      config, "site history",
      [&](pqxx::transaction_base& transaction, const std::string& name) {
        if (!table.empty() && name != table) return true;
        pqxx::result found = transaction.exec_params(site_url_sql(name), digest);
        if (found.empty()) return true;
        history = SiteHistory{
            name, redact_url(found[0][0].as<std::string>(), config.redact_query_params), {}};
        const store::RollupBounds bounds = store::read_rollup_bounds(transaction, name);
        for (const auto& row : transaction.exec_params(
                 history_sql(name, step), digest, first_bucket, bounds.closed_until,
                 bounds.late_hours, bounds.late_from, bounds.late_to)) {
          history->buckets.push_back(
              HistoryBucket{WallTime(std::chrono::microseconds(row[0].as<std::int64_t>())),
                            UptimeCount{row[1].as<std::int64_t>(), row[2].as<std::int64_t>()},
                            optional_field<std::int64_t>(row[3])});
        }
        return false;
      },
      pool);
  return history;
}

}  // namespace hc
