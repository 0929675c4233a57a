#include "status_states.h"

#include <fmt/format.h>

#include <map>
#include <pqxx/pqxx>
#include <utility>

#include "db_error.h"
#include "pg_connection.h"
#include "pg_sql.h"
#include "pg_uri.h"

namespace hc::consumer {

std::string newest_states_sql(const std::string& table) {
  // DISTINCT ON walks the primary key (url_digest, at) backwards: one row per site.
  return fmt::format(
      "SELECT url, to_state, (extract(epoch FROM at) * 1000000)::bigint"
      " FROM (SELECT DISTINCT ON (url_digest) url, to_state, at FROM {}"
      "       ORDER BY url_digest, at DESC) AS newest",
      quote_identifier(table));
}

void add_site_states(const Router& router, const ConsumerConfig& config,
                     std::vector<SiteSummary>& sites) {
  bool any_events_table = false;
  std::map<std::string, std::pair<std::string, WallTime>> newest;  // url -> (state, since)
  for (std::size_t database = 0; database < router.database_uris().size(); ++database) {
    std::unique_ptr<pqxx::connection> connection;  // opened for the first events table
    ConnectionTarget target;
    for (const TableSpec& table : router.tables_in(database)) {
      if (table.kind != RouteKind::kEvents) continue;
      any_events_table = true;
      try {
        if (!connection) {
          target = connection_target(router.database_uris()[database], session_settings(config));
          connection = open_connection(target);
        }
        pqxx::read_transaction transaction(*connection);
        for (const auto& row : transaction.exec(newest_states_sql(table.name))) {
          WallTime at(std::chrono::microseconds(row[2].as<std::int64_t>()));
          auto [it, inserted] =
              newest.try_emplace(row[0].as<std::string>(), row[1].as<std::string>(), at);
          if (!inserted && at > it->second.second) it->second = {row[1].as<std::string>(), at};
        }
      } catch (const pqxx::undefined_table&) {
        throw MissingStatusTable(table.name, table.name, target.name);
      } catch (const std::exception& error) {
        const std::string name = target.name.empty()
                                     ? redact_connection_uri(router.database_uris()[database])
                                     : target.name;
        throw std::runtime_error(fmt::format("status of events table {} in {}: {}", table.name,
                                             name, scrub_secrets(one_line(error.what()), target)));
      }
    }
  }
  if (!any_events_table) return;
  for (SiteSummary& site : sites) {
    auto it = newest.find(site.url);
    if (it == newest.end()) {
      site.state = "unknown";  // no event yet: the producer has not decided
    } else {
      site.state = it->second.first;
      site.state_since = it->second.second;
    }
  }
}

}  // namespace hc::consumer
