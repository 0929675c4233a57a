// read_site_history: one site's buckets from <table>_hourly, hourly or summed per UTC day.
#include <fmt/format.h>

#include <pqxx/pqxx>

#include "hc/common/url_digest.h"
#include "hc/consumer/status.h"
#include "pg_sql.h"
#include "status_tables.h"

namespace hc {
namespace {

using consumer::optional_field;
using consumer::quote_identifier;

// The site's URL as stored, when the table has it (the primary key's digest finds it).
std::string site_url_sql(const std::string& table) {
  return fmt::format("SELECT uri FROM {} WHERE url_digest = decode($1, 'hex')",
                     quote_identifier(table + "_latest"));
}

// $1 digest (hex), $2 since (microseconds since the epoch), $3 'hour' or 'day'. Checks and up
// checks add up exactly. A day's p95 is the max of its hourly p95s: an upper bound, because the
// hourly relation keeps percentiles, not a histogram that could be merged.
std::string history_sql(const std::string& table) {
  return fmt::format(
      R"(SELECT (extract(epoch FROM date_trunc($3, hour)) * 1000000)::bigint AS start,
       sum(checks)::bigint, sum(up_checks)::bigint, max(p95_response_us)::bigint
FROM {hourly}
WHERE url_digest = decode($1, 'hex')
  AND hour >= date_trunc($3, to_timestamp($2::double precision / 1e6))
GROUP BY 1 ORDER BY 1)",
      fmt::arg("hourly", quote_identifier(table + "_hourly")));
}

}  // namespace

std::optional<SiteHistory> read_site_history(const ConsumerConfig& config, const std::string& url,
                                             const std::string& table, WallTime since,
                                             HistoryStep step) {
  const std::string digest = url_digest(url);
  const std::int64_t since_us = since.time_since_epoch().count();
  const char* step_unit = step == HistoryStep::kHour ? "hour" : "day";
  std::optional<SiteHistory> history;
  consumer::for_each_status_table(
      config, "site history", [&](pqxx::transaction_base& transaction, const std::string& name) {
        if (!table.empty() && name != table) return true;
        pqxx::result found = transaction.exec_params(site_url_sql(name), digest);
        if (found.empty()) return true;
        history = SiteHistory{name, found[0][0].as<std::string>(), {}};
        for (const auto& row :
             transaction.exec_params(history_sql(name), digest, since_us, std::string(step_unit))) {
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
