// One table hc writes, as everything that writes or maintains it sees it: its name, what it
// holds and how it is stored. The Router builds one per (database, table) from the table's
// routes; the sinks, the batch writer and the table upkeep take it from there.
#pragma once

#include <string>

#include "hc/common/config.h"

namespace hc::consumer {

struct TableSpec {
  std::string name;                           // a validated identifier
  RouteKind kind = RouteKind::kMeasurements;  // which schema (table_schema.h)
  // Measurements tables only (events tables are neither partitioned nor expired):
  PartitionInterval partition_interval = PartitionInterval::kDay;
  int retention_days = 0;  // 0 = keep forever
  // The largest of its routes' rollup_retention_days (0, keep forever, is the largest).
  int rollup_retention_days = 400;
};

}  // namespace hc::consumer
