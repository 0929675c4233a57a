// The tables hc writes, as everything that writes, maintains or reads them sees them: each
// table's name, what it holds and how it is stored, grouped by the database that holds it.
// Derived from the consumer config's routes in one place (database_tables); the consumer's
// router, the writers, the table upkeep and the readers all take them from there.
#pragma once

#include <string>
#include <vector>

#include "hc/common/config.h"

namespace hc {

struct TableSpec {
  std::string name;                           // a validated identifier
  RouteKind kind = RouteKind::kMeasurements;  // which schema (store/src/table_schema.h)
  // Measurements tables only (events tables are neither partitioned nor expired):
  PartitionInterval partition_interval = PartitionInterval::kDay;
  int retention_days = 0;  // 0 = keep forever
  // The largest of its routes' rollup_retention_days (0, keep forever, is the largest).
  int rollup_retention_days = 400;
};

// One configured database and the distinct tables the routes write in it.
struct DatabaseTables {
  std::string connection_uri;  // as configured: holds the password, never log it
  // What readers (hc status, hc serve) connect with: a route's read_connection_uri for this
  // database, else connection_uri. Never log it either.
  std::string read_connection_uri;
  std::vector<TableSpec> tables;
};

// The distinct databases of `routes` in config order (by connection URI), each with its
// distinct tables in config order. Every route of one table agrees on its settings (the config
// validates that), except rollup retention: the table keeps the longest its routes ask for.
// REQUIRES: routes as the config validated them (a table of one kind); else
// std::invalid_argument naming the route.
std::vector<DatabaseTables> database_tables(const std::vector<TopicSinkConfig>& routes);

}  // namespace hc
