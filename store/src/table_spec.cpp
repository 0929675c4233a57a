#include "hc/store/table_spec.h"

#include <algorithm>
#include <stdexcept>

namespace hc {

std::vector<DatabaseTables> database_tables(const std::vector<TopicSinkConfig>& routes) {
  std::vector<DatabaseTables> databases;
  for (const auto& route : routes) {
    auto database =
        std::ranges::find(databases, route.connection_uri, &DatabaseTables::connection_uri);
    if (database == databases.end()) {
      databases.push_back({route.connection_uri, route.connection_uri, {}});
      database = std::prev(databases.end());
    }
    if (!route.read_connection_uri.empty())
      database->read_connection_uri = route.read_connection_uri;
    auto& tables = database->tables;
    auto table = std::ranges::find(tables, route.table_name, &TableSpec::name);
    if (table == tables.end()) {
      tables.push_back({route.table_name, route.kind, route.partition_interval,
                        route.retention_days, route.rollup_retention_days});
      continue;
    }
    if (table->kind != route.kind) {
      throw std::invalid_argument("route " + route.source_topic + " -> " + route.table_name +
                                  ": a table of two kinds");
    }
    if (table->rollup_retention_days != 0 &&
        (route.rollup_retention_days == 0 ||
         route.rollup_retention_days > table->rollup_retention_days)) {
      table->rollup_retention_days = route.rollup_retention_days;
    }
  }
  return databases;
}

}  // namespace hc
