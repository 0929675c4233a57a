#include "status_states.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <pqxx/pqxx>
#include <set>
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

namespace {

struct NewestEvent {
  std::string state;
  WallTime at;
  std::string table;
};

}  // namespace

void add_site_states(const ConsumerConfig& config, std::vector<SiteSummary>& sites) {
  std::map<std::string, NewestEvent> newest;  // by URL
  const bool any_events_table = for_each_events_table(
      config, "status", [&](pqxx::transaction_base& transaction, const std::string& table) {
        for (const auto& row : transaction.exec(newest_states_sql(table))) {
          NewestEvent event{row[1].as<std::string>(),
                            WallTime(std::chrono::microseconds(row[2].as<std::int64_t>())), table};
          auto [it, inserted] = newest.try_emplace(row[0].as<std::string>(), event);
          if (!inserted && event.at > it->second.at) it->second = std::move(event);
        }
      });
  if (!any_events_table) return;
  std::set<std::string> listed;
  for (SiteSummary& site : sites) {
    listed.insert(site.url);
    auto it = newest.find(site.url);
    if (it == newest.end()) {
      site.state = "unknown";  // no event yet: the producer has not decided
    } else {
      site.state = it->second.state;
      site.state_since = it->second.at;
    }
  }
  // Sites that only the events tables name (a config with an events route and no
  // measurements route for them) are listed too, after the others, by table then URL.
  const std::size_t measured = sites.size();
  for (const auto& [url, event] : newest) {
    if (listed.contains(url)) continue;
    SiteSummary site;
    site.table = event.table;
    site.url = url;
    site.state = event.state;
    site.state_since = event.at;
    sites.push_back(std::move(site));
  }
  std::stable_sort(sites.begin() + static_cast<std::ptrdiff_t>(measured), sites.end(),
                   [](const SiteSummary& a, const SiteSummary& b) { return a.table < b.table; });
}

}  // namespace hc::store
