#include "status_states.h"

#include <fmt/format.h>

#include <map>
#include <pqxx/pqxx>
#include <utility>

#include "hc/common/url_redaction.h"
#include "hc/store/db_error.h"
#include "hc/store/pg_connection.h"
#include "hc/store/table_spec.h"
#include "pg_sql.h"

namespace hc::store {

std::string newest_states_sql(const std::string& table) {
  // DISTINCT ON walks the primary key (url_digest, at) backwards: one row per site.
  return fmt::format(
      "SELECT url, to_state, (extract(epoch FROM at) * 1000000)::bigint"
      " FROM (SELECT DISTINCT ON (url_digest) url, to_state, at FROM {}"
      "       ORDER BY url_digest, at DESC) AS newest",
      quote_identifier(table));
}

void add_site_states(const ConsumerConfig& config, std::vector<SiteSummary>& sites) {
  bool any_events_table = false;
  std::map<std::string, std::pair<std::string, WallTime>> newest;  // url -> (state, since)
  for (const DatabaseTables& database : database_tables(config.topics)) {
    std::unique_ptr<pqxx::connection> connection;  // opened for the first events table
    ConnectionTarget target;
    for (const TableSpec& table : database.tables) {
      if (table.kind != RouteKind::kEvents) continue;
      any_events_table = true;
      try {
        if (!connection) {
          target = connection_target(database.read_connection_uri, session_settings(config));
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
        const std::string name =
            target.name.empty() ? redact_connection_uri(database.read_connection_uri) : target.name;
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

}  // namespace hc::store
