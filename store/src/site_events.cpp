#include "site_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "hc/common/url_redaction.h"
#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "hc/store/table_spec.h"
#include "pg_sql.h"
#include "status_tables.h"

namespace hc::store {
namespace {

constexpr const char* kEventColumns =
    "(extract(epoch FROM at) * 1000000)::bigint, from_state, to_state,"
    " array_to_json(failed_conditions)::text, error, error_detail, status_code";

// $1 digest (hex), $2 from, $3 to (timestamptz text), $4 the most rows. Newest first, from the
// newest event at or before `from` to the first at or after `to` (the primary key's range).
std::string window_events_sql(const std::string& table) {
  const std::string quoted = quote_identifier(table);
  return fmt::format(
      "SELECT {columns} FROM {table} WHERE url_digest = decode($1, 'hex')"
      " AND at >= coalesce((SELECT max(at) FROM {table} WHERE url_digest = decode($1, 'hex')"
      "                     AND at <= $2::timestamptz), '-infinity')"
      " AND at <= coalesce((SELECT min(at) FROM {table} WHERE url_digest = decode($1, 'hex')"
      "                     AND at >= $3::timestamptz), 'infinity')"
      " ORDER BY at DESC LIMIT $4",
      fmt::arg("columns", kEventColumns), fmt::arg("table", quoted));
}

std::string newest_event_sql(const std::string& table) {
  return fmt::format(
      "SELECT {} FROM {} WHERE url_digest = decode($1, 'hex') ORDER BY at DESC LIMIT 1",
      kEventColumns, quote_identifier(table));
}

// $1 from, $2 to. Every site's events around and in the window, by site then time; the first
// column is the url_digest in hex.
std::string all_events_sql(const std::string& table) {
  return fmt::format(
      "SELECT encode(url_digest, 'hex'), {columns} FROM ("
      " SELECT * FROM {table} WHERE at > $1::timestamptz AND at < $2::timestamptz"
      " UNION ALL (SELECT DISTINCT ON (url_digest) * FROM {table} WHERE at <= $1::timestamptz"
      "            ORDER BY url_digest, at DESC)"
      " UNION ALL (SELECT DISTINCT ON (url_digest) * FROM {table} WHERE at >= $2::timestamptz"
      "            ORDER BY url_digest, at)) AS e ORDER BY url_digest, at",
      fmt::arg("columns", kEventColumns), fmt::arg("table", quote_identifier(table)));
}

// Columns from `first` on: kEventColumns.
SiteEvent event_of(const pqxx::row& row, pqxx::row::size_type first = 0) {
  SiteEvent event;
  event.at = WallTime(std::chrono::microseconds(row[first + 0].as<std::int64_t>()));
  event.from_state = row[first + 1].as<std::string>();
  event.to_state = row[first + 2].as<std::string>();
  if (!row[first + 3].is_null()) {
    // A JSON array from PostgreSQL itself; a NULL element (written by hand) is skipped.
    for (const auto& condition : nlohmann::json::parse(row[first + 3].c_str())) {
      if (condition.is_string()) event.failed_conditions.push_back(condition);
    }
  }
  event.error = optional_field<std::string>(row[first + 4]);
  event.error_detail = row[first + 5].is_null() ? "" : row[first + 5].as<std::string>();
  event.status_code = optional_field<int>(row[first + 6]);
  return event;
}

// Sorted by `at`, one per (at, to_state): several events tables may hold the same events.
void sort_and_dedupe(std::vector<SiteEvent>& events) {
  std::sort(events.begin(), events.end(),
            [](const SiteEvent& a, const SiteEvent& b) { return a.at < b.at; });
  events.erase(std::unique(events.begin(), events.end(),
                           [](const SiteEvent& a, const SiteEvent& b) {
                             return a.at == b.at && a.to_state == b.to_state;
                           }),
               events.end());
}

}  // namespace

SiteEvents read_site_events(const ConsumerConfig& config, const std::string& digest, WallTime from,
                            WallTime to, ConnectionPool* pool) {
  SiteEvents result;
  result.has_events_table = for_each_events_table(
      config, "site events",
      [&](pqxx::transaction_base& transaction, const std::string& table) {
        const auto limit = static_cast<std::int64_t>(kMaxSiteEvents + 1);
        for (const auto& row :
             transaction.exec_params(window_events_sql(table), digest, format_timestamp(from),
                                     format_timestamp(to), limit)) {
          result.events.push_back(event_of(row));
        }
        for (const auto& row : transaction.exec_params(newest_event_sql(table), digest)) {
          SiteEvent newest = event_of(row);
          if (!result.newest || newest.at > result.newest->at) result.newest = std::move(newest);
        }
      },
      pool);
  sort_and_dedupe(result.events);
  if (result.events.size() > kMaxSiteEvents) {
    result.truncated = true;
    result.events.erase(result.events.begin(),
                        result.events.end() - static_cast<std::ptrdiff_t>(kMaxSiteEvents));
  }
  return result;
}

AllSiteEvents read_all_site_events(const ConsumerConfig& config, WallTime from, WallTime to,
                                   ConnectionPool* pool) {
  AllSiteEvents result;
  result.has_events_table = for_each_events_table(
      config, "report events",
      [&](pqxx::transaction_base& transaction, const std::string& table) {
        for (const auto& row : transaction.exec_params(
                 all_events_sql(table), format_timestamp(from), format_timestamp(to))) {
          result.by_digest[row[0].as<std::string>()].push_back(event_of(row, 1));
        }
      },
      pool);
  for (auto& [digest, events] : result.by_digest) sort_and_dedupe(events);
  return result;
}

}  // namespace hc::store
