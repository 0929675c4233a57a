#include "status_states.h"

#include <fmt/format.h>

#include <map>
#include <pqxx/pqxx>
#include <utility>

#include "pg_sql.h"
#include "status_tables.h"

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
  std::map<std::string, std::pair<std::string, WallTime>> newest;  // url -> (state, since)
  const bool any_events_table = for_each_events_table(
      config, "status", [&](pqxx::transaction_base& transaction, const std::string& table) {
        for (const auto& row : transaction.exec(newest_states_sql(table))) {
          WallTime at(std::chrono::microseconds(row[2].as<std::int64_t>()));
          auto [it, inserted] =
              newest.try_emplace(row[0].as<std::string>(), row[1].as<std::string>(), at);
          if (!inserted && at > it->second.second) it->second = {row[1].as<std::string>(), at};
        }
      });
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
