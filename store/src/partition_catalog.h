// The partitions of a measurements table as PostgreSQL has them, and the DDL that changes
// them. The plans come from partition_layout.h; this file only reads and runs SQL.
//
// Race safety: every change (and the read it is planned from) happens under
// lock_partitions(), a transaction-scoped advisory lock per table taken by every hc process
// (writers creating partitions on demand, maintenance creating ahead and dropping): a second
// process waits, re-reads, and finds nothing left to do.
//
// Functions take the caller's transaction; they throw what libpqxx throws.
#pragma once

#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "partition_layout.h"

namespace hc::store {

// Waits for the partition lock of `table` (subject to the session's lock_timeout); held until
// the transaction ends.
void lock_partitions(pqxx::transaction_base& txn, const std::string& table);

// The range partitions of `table`, in no particular order (a DEFAULT partition, which hc never
// creates, is left out). Empty for a table that is not partitioned.
std::vector<Partition> list_partitions(pqxx::transaction_base& txn, const std::string& table);

// Creates the partition of `table` for `range`, named partition_name(table, range); does
// nothing if a table of that name exists. Returns the name.
std::string create_partition(pqxx::transaction_base& txn, const std::string& table,
                             const PartitionRange& range);

// Drops a partition of `table` whole (DROP TABLE: no row is deleted one by one).
void drop_partition(pqxx::transaction_base& txn, const std::string& partition);

// Under the lock: creates what missing_partitions() plans for `times`. Returns the partitions
// created and `table`'s partitions afterwards. A table that is not partitioned (one whose
// migration 5 an operator marked applied by hand, or a benchmark's reference) is left as it
// is: it counts as one partition holding every time.
struct EnsuredPartitions {
  std::vector<Partition> created;
  std::vector<Partition> all;
};
EnsuredPartitions ensure_partitions(pqxx::transaction_base& txn, const std::string& table,
                                    const std::vector<WallTime>& times, PartitionInterval interval,
                                    WallTime now);

// "[2026-11-25T00:00:00.000000Z, 2026-11-26T00:00:00.000000Z)" for logs.
std::string describe(const PartitionRange& range);

}  // namespace hc::store
