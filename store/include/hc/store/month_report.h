// The SLA report of a calendar month (`hc report`, `hc serve`'s /api/v1/report): per site its
// checks and uptime, downtime and outages, the longest outage, and the p95 response time.
//
// Checks and uptime from the daily rollup for whole closed days and hourly data for the others
// (rollup_sql.h's days_of_sites_sql): exact at any time, like the status page. Downtime and
// outages from the events tables (routes with kind: events): an outage is an incident
// (site_detail.h) overlapping the month, its downtime the part inside the month. Times UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/connection_pool.h"
#include "hc/store/status.h"

namespace hc {

// A calendar month in UTC: [start, end).
struct ReportMonth {
  WallTime start;
  WallTime end;
  std::string name;  // "2026-11"
};

// "YYYY-MM" (years 2000..9998) as a ReportMonth; an error message otherwise.
std::variant<ReportMonth, std::string> parse_report_month(std::string_view text);

struct SiteMonthReport {
  std::string table;
  std::string url;  // as shown: redact_url(uri, config.redact_query_params)
  UptimeCount count;
  std::optional<std::int64_t> p95_response_us;  // of every check of the month (its histogram)
  // From the events; unset when the config has no events table.
  std::optional<std::chrono::seconds> downtime;
  std::optional<std::int64_t> outages;
  std::optional<std::chrono::seconds> longest_outage;  // 0 s when none
};

struct MonthReport {
  ReportMonth month;
  // The month's end when it has ended, else `now`: what downtime of an ongoing incident runs
  // to.
  WallTime until;
  bool has_events_table = false;
  std::vector<SiteMonthReport> sites;  // every site of every table, by table then URL (bytes)
};

// REQUIRES: month.end - month.start is a calendar month. Throws MissingStatusTable before
// `hc migrate`; std::runtime_error naming the database (password redacted) and table otherwise.
// Connections from `pool` when given.
MonthReport read_month_report(const ConsumerConfig& config, const ReportMonth& month, WallTime now,
                              ConnectionPool* pool = nullptr);

// As a terminal table, CSV (RFC 4180; a cell starting with = + - @ is prefixed with ' so that a
// spreadsheet never evaluates it) or JSON:
//   {"month", "until", "sites": [{"table", "url", "checks", "up_checks", "uptime_percent"|null,
//    "downtime_minutes"|null, "outages"|null, "longest_outage_minutes"|null,
//    "p95_response_ms"|null}]}
std::string render_month_report_table(const MonthReport& report);
std::string render_month_report_csv(const MonthReport& report);
std::string render_month_report_json(const MonthReport& report);

// A CSV cell: quoted when it holds , " CR or LF or starts with = + - @ (then also prefixed
// with '), quotes doubled.
std::string csv_cell(std::string_view text);

}  // namespace hc
