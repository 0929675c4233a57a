// Which partitions a measurements table has and needs: pure arithmetic on time ranges,
// no connection (partition_catalog.h talks to the database).
//
// Layout of a table (partitioned by RANGE (measurement_time)):
//   - one catch-all partition FROM (MINVALUE) TO (F) for everything before F: the table
//     that existed before partitioning (attached in place by migration 5), or an empty one
//     for a new table. Old rows, backfills and hostile years 0001.. land there: they never
//     create partitions.
//   - regular partitions, one per interval (UTC day, ISO week, calendar month), each
//     [start, next start), only at or after F, created ahead (kPartitionsAhead) and on
//     demand for a row that has none.
//   - nothing beyond now + kFutureLimit: a measurement that far ahead of the consumer's clock
//     is refused (dead letter, reason future_time). So the number of partitions grows with
//     real time only, never with what messages claim.
// Retention (retention_days > 0) drops a partition only once its whole range is older than
// now - retention; rows that old are not written (counted as expired).
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/store/row_fate.h"

namespace hc::store {

// Partitions kept ready ahead of the current interval (at migration and by maintenance).
inline constexpr int kPartitionsAhead = 3;

// [lower, upper) of measurement_time; nullopt lower = MINVALUE, nullopt upper = MAXVALUE.
struct PartitionRange {
  std::optional<WallTime> lower;
  std::optional<WallTime> upper;
  bool contains(WallTime time) const {
    return (!lower || *lower <= time) && (!upper || time < *upper);
  }
  bool operator==(const PartitionRange&) const = default;
};

// An existing partition: its name and range.
struct Partition {
  std::string name;
  PartitionRange range;
};

// Start of the interval that holds `time` (UTC; weeks start on Monday).
WallTime interval_start(PartitionInterval interval, WallTime time);
// Start of the interval after the one that holds `time`.
WallTime next_interval_start(PartitionInterval interval, WallTime time);

// The name of the partition of `table` starting at `range.lower`: "<table>_p20261125" (day,
// week: its Monday, month: its 1st), "<table>_before" for the catch-all. A table name too
// long for the suffix within 63 bytes is shortened with a hash of the whole name, so two
// tables never share partition names.
std::string partition_name(const std::string& table, const PartitionRange& range);

// `table` + `suffix` as one identifier of at most 63 bytes: too long a table name is shortened
// and a hash of the whole name added, so two tables never share derived names.
std::string derived_identifier(const std::string& table, const std::string& suffix);

// The catch-all partition's name: partition_name(table, {MINVALUE, ...}).
std::string catch_all_name(const std::string& table);

// The partitions to create so that every time in `times` has one, given `existing`
// (REQUIRES: their ranges do not overlap, as Postgres ensures). A time below every partition
// gets one catch-all FROM (MINVALUE) TO (the lowest lower bound); with no partitions at all,
// the catch-all ends at the interval of `now` (then regular ones follow). A regular
// partition is clipped to the gap it falls in (after a change of partition_interval, or next
// to the catch-all). REQUIRES: every time passed row_fate() == kWrite.
std::vector<PartitionRange> missing_partitions(const std::vector<Partition>& existing,
                                               const std::vector<WallTime>& times,
                                               PartitionInterval interval, WallTime now);

// `now` and the start of each of the kPartitionsAhead intervals after its own: the times whose
// partitions are kept ready (pass them to missing_partitions), so every time from now to the
// end of the last of those intervals has a partition.
std::vector<WallTime> intervals_ahead(PartitionInterval interval, WallTime now);

// The partitions wholly older than now - retention_days (upper <= that), to drop;
// empty when retention_days is 0.
std::vector<Partition> expired_partitions(const std::vector<Partition>& existing, WallTime now,
                                          int retention_days);

// "2026-11-25 00:00:00+00", or "MINVALUE" / "MAXVALUE": a bound as written in DDL.
std::string bound_sql(const std::optional<WallTime>& bound, bool upper);

}  // namespace hc::store
