// read_status_overview: what the status page shows per site, in one query per table over
// <table>_latest and <table>_hourly.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "hc/common/url_digest.h"
#include "hc/common/url_redaction.h"
#include "hc/store/status.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "rollups.h"
#include "site_overview_sql.h"
#include "status_tables.h"

namespace hc {
namespace {

using store::optional_field;
using store::quote_identifier;

// The site's current state, decided here only: the newest state-change event's `to_state`
// when an events table beside the measurements holds one for the site (the producer's exact
// state), else up when its newest measurement is up by hc_measurement_up (the migrations' one
// definition: the producer's verdict, else no error). `ev` is newest_event_join's row.
constexpr const char* kCurrentlyUpSql =
    "CASE WHEN ev.to_state IS NULL THEN hc_measurement_up(l.healthy, l.error)"
    " ELSE ev.to_state = 'up' END";

// `ev`: the newest event of the site l in `events` (an events table in the same database), or
// a row of NULLs without one. The events' primary key (url_digest, at) makes it one index probe.
std::string newest_event_join(const std::optional<std::string>& events) {
  if (!events) {
    return "LEFT JOIN LATERAL (SELECT NULL::text AS to_state, NULL::timestamptz AS at) ev ON true";
  }
  return fmt::format(
      "LEFT JOIN LATERAL (SELECT e.to_state, e.at FROM {} e WHERE e.url_digest = l.url_digest"
      " ORDER BY e.at DESC LIMIT 1) ev ON true",
      quote_identifier(*events));
}

constexpr const char* kPageDigests = "ARRAY(SELECT url_digest FROM page)";
const store::RollupBoundParams kBounds{"$4::timestamptz", "$5::timestamptz[]", "$6::timestamptz",
                                       "$7::timestamptz"};

// $1: now (microseconds since the epoch); $2, $3: the page's LIMIT and OFFSET within this
// table's sites; $4..$7: the table's RollupBounds; $8, $9: the first hour of the 24 hours and
// the first day of the bar (timestamptz text: a bound computed in SQL from now would be a
// STABLE expression, which prunes no partition when planned). The page's sites first, then only
// their rows: days from the daily rollup where whole (days_of_sites_sql), the last 24 hours
// (hours_of_sites_sql), whose histograms are summed so the 24 h p95 is the percentile of all
// its checks. Time bounds are expressions of parameters, not columns of now_at, so that they
// are index conditions and prune partitions when planned.
// `page`: the <table>_latest rows of the sites to read (a SELECT using $2 and $3).
std::string overview_sql(const std::string& table, const std::string& page,
                         const std::optional<std::string>& events) {
  return fmt::format(
      R"(WITH page AS (
  {page}
), now_at AS (
  SELECT to_timestamp($1::double precision / 1e6) AS now,
         {now_hour} AS now_hour, {today} AS today
), site_days AS (
  SELECT d.url_digest, d.day, d.checks, d.up_checks
  FROM {days} AS d
  WHERE d.day <= {today}
), day_windows AS (
  SELECT d.url_digest,
    sum(d.checks) FILTER (WHERE d.day > n.today - interval '7 days')::bigint AS checks_7d,
    sum(d.up_checks) FILTER (WHERE d.day > n.today - interval '7 days')::bigint AS up_7d,
    sum(d.checks) FILTER (WHERE d.day > n.today - interval '30 days')::bigint AS checks_30d,
    sum(d.up_checks) FILTER (WHERE d.day > n.today - interval '30 days')::bigint AS up_30d,
    json_agg(json_build_array(extract(epoch FROM d.day)::bigint, d.checks, d.up_checks)
             ORDER BY d.day)::text AS days
  FROM site_days d CROSS JOIN now_at n GROUP BY d.url_digest
), last_24h AS (
  SELECT h.url_digest, sum(h.checks)::bigint AS checks_24h, sum(h.up_checks)::bigint AS up_24h,
         hc_histogram_percentile({histogram}, 0.95, min(h.min_response_us),
                                 max(h.max_response_us))::bigint AS p95_24h
  FROM {hours} AS h
  WHERE h.hour <= {now_hour}
  GROUP BY h.url_digest
)
SELECT l.uri, {up}, (extract(epoch FROM l.measurement_time) * 1000000)::bigint,
       l.status_code, l.error, array_to_json(l.failed_conditions)::text,
       extract(epoch FROM l.cert_expires_at - n.now) / 86400.0,
       h.checks_24h, h.up_24h, w.checks_7d, w.up_7d, w.checks_30d, w.up_30d, h.p95_24h, w.days,
       ev.to_state, (extract(epoch FROM ev.at) * 1000000)::bigint,
       hc_measurement_up(l.healthy, l.error), l.check_type
FROM page l CROSS JOIN now_at n
{events_join}
LEFT JOIN day_windows w USING (url_digest)
LEFT JOIN last_24h h USING (url_digest)
ORDER BY l.uri, l.url_digest)",
      fmt::arg("page", page),
      fmt::arg("now_hour", store::hour_of_sql("to_timestamp($1::double precision / 1e6)")),
      fmt::arg("today", store::day_of_sql("to_timestamp($1::double precision / 1e6)")),
      fmt::arg("days", store::days_of_sites_sql(table, "$9::timestamptz", kPageDigests, kBounds)),
      fmt::arg("hours", store::hours_of_sites_sql(table, "$8::timestamptz", kPageDigests, kBounds)),
      fmt::arg("histogram", store::histogram_sum_sql("h.latency_histogram")),
      fmt::arg("up", kCurrentlyUpSql), fmt::arg("events_join", newest_event_join(events)));
}

// The table's sites and how many are up now.
std::string site_count_sql(const std::string& table, const std::optional<std::string>& events) {
  return fmt::format("SELECT count(*), count(*) FILTER (WHERE {up}) FROM {latest} l {events_join}",
                     fmt::arg("latest", quote_identifier(store::latest_table_name(table))),
                     fmt::arg("up", kCurrentlyUpSql),
                     fmt::arg("events_join", newest_event_join(events)));
}

// The first events table in `table`'s database, whose events the overview's state comes from.
std::optional<std::string> events_beside(const ConsumerConfig& config, const std::string& table) {
  const std::vector<std::string> events = store::events_tables_beside(config, table);
  if (events.empty()) return std::nullopt;
  return events.front();
}

UptimeCount count_of(const pqxx::field& checks, const pqxx::field& up_checks) {
  return UptimeCount{checks.is_null() ? 0 : checks.as<std::int64_t>(),
                     up_checks.is_null() ? 0 : up_checks.as<std::int64_t>()};
}

SiteOverview site_of(const std::string& table, const pqxx::row& row,
                     const std::vector<std::string>& redact_query_params) {
  SiteOverview site;
  site.table = table;
  const std::string url = row[0].as<std::string>();
  site.url_digest = url_digest(url);
  site.url = redact_url(url, redact_query_params);
  site.up = !row[1].is_null() && row[1].as<bool>();
  site.last_check_up = !row[17].is_null() && row[17].as<bool>();
  if (!row[18].is_null()) site.check_type = row[18].as<std::string>();
  if (!row[15].is_null()) {
    site.state_source = StateSource::kEvents;
    site.state = row[15].as<std::string>();
    site.state_since = WallTime(std::chrono::microseconds(row[16].as<std::int64_t>()));
  } else {
    site.state = site.up ? "up" : "down";
  }
  site.last_checked_at = WallTime(std::chrono::microseconds(row[2].as<std::int64_t>()));
  site.last_status_code = optional_field<int>(row[3]);
  site.last_error = optional_field<std::string>(row[4]);
  if (!row[5].is_null()) {
    // A JSON array from PostgreSQL itself; a NULL element (written by hand) is skipped.
    for (const auto& condition : nlohmann::json::parse(row[5].c_str())) {
      if (condition.is_string()) site.last_failed_conditions.push_back(condition);
    }
  }
  site.cert_days_left = optional_field<double>(row[6]);
  site.uptime_24h = count_of(row[7], row[8]);
  site.uptime_7d = count_of(row[9], row[10]);
  site.uptime_30d = count_of(row[11], row[12]);
  site.p95_response_us_24h = optional_field<std::int64_t>(row[13]);
  if (!row[14].is_null()) {
    for (const auto& day : nlohmann::json::parse(row[14].c_str())) {
      site.days.push_back(
          DailyUptime{WallTime(std::chrono::seconds(day.at(0).get<std::int64_t>())),
                      UptimeCount{day.at(1).get<std::int64_t>(), day.at(2).get<std::int64_t>()}});
    }
  }
  return site;
}

// The page of the overview: $2 sites from the $3rd on.
std::string page_sql(const std::string& table) {
  return fmt::format("SELECT * FROM {} ORDER BY uri, url_digest LIMIT $2 OFFSET $3",
                     quote_identifier(store::latest_table_name(table)));
}

// One site: $10 its url_digest (hex); $2 and $3 (1 and 0) keep the parameters' numbering.
std::string one_site_sql(const std::string& table) {
  return fmt::format("SELECT * FROM {} WHERE url_digest = decode($10, 'hex') LIMIT $2 OFFSET $3",
                     quote_identifier(store::latest_table_name(table)));
}

WallTime first_hour_of_24h(WallTime now) { return store::hour_floor(now) - std::chrono::hours(23); }
WallTime first_day_of_bar(WallTime now) {
  return store::day_floor(now) - std::chrono::days(kOverviewDays - 1);
}

}  // namespace

namespace store {

std::optional<SiteOverview> read_one_site_overview(pqxx::transaction_base& transaction,
                                                   const ConsumerConfig& config,
                                                   const std::string& table,
                                                   const std::string& digest, WallTime now,
                                                   const RollupBounds& bounds) {
  const std::int64_t now_us = now.time_since_epoch().count();
  const pqxx::result rows = transaction.exec_params(
      overview_sql(table, one_site_sql(table), events_beside(config, table)), now_us, 1, 0,
      bounds.closed_until, bounds.late_hours, bounds.late_from, bounds.late_to,
      format_timestamp(first_hour_of_24h(now)), format_timestamp(first_day_of_bar(now)), digest);
  if (rows.empty()) return std::nullopt;
  return site_of(table, rows[0], config.redact_query_params);
}

}  // namespace store

std::string_view state_source_name(StateSource source) {
  return source == StateSource::kEvents ? "events" : "measurement";
}

std::optional<double> UptimeCount::percent() const {
  if (checks <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(up_checks) / static_cast<double>(checks);
}

Overview read_status_overview(const ConsumerConfig& config, WallTime now, const OverviewPage& page,
                              ConnectionPool* pool) {
  const std::int64_t now_us = now.time_since_epoch().count();
  const WallTime first_hour = first_hour_of_24h(now);
  const WallTime first_day = first_day_of_bar(now);
  Overview overview;
  overview.page = page;
  store::for_each_status_table(
      config, "status overview",
      [&](pqxx::transaction_base& transaction, const std::string& table) {
        const std::optional<std::string> events = events_beside(config, table);
        const pqxx::row counts = transaction.exec1(site_count_sql(table, events));
        const auto table_sites = counts[0].as<std::size_t>();
        const std::size_t table_start = overview.total_sites;
        overview.total_sites += table_sites;
        overview.up_sites += counts[1].as<std::size_t>();
        // The part of [offset, offset + limit) that falls in this table's sites.
        const std::size_t from = std::max(page.offset, table_start);
        const std::size_t to = std::min(page.offset + page.limit, table_start + table_sites);
        if (from >= to) return true;
        const auto limit = static_cast<std::int64_t>(to - from);
        const auto offset = static_cast<std::int64_t>(from - table_start);
        const store::RollupBounds bounds = store::read_rollup_bounds(transaction, table);
        for (const auto& row : transaction.exec_params(
                 overview_sql(table, page_sql(table), events), now_us, limit, offset,
                 bounds.closed_until, bounds.late_hours, bounds.late_from, bounds.late_to,
                 format_timestamp(first_hour), format_timestamp(first_day))) {
          overview.sites.push_back(site_of(table, row, config.redact_query_params));
        }
        return true;
      },
      pool);
  return overview;
}

}  // namespace hc
