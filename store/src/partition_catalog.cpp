#include "partition_catalog.h"

#include <fmt/format.h>

#include <pqxx/pqxx>

#include "pg_sql.h"

namespace hc::store {
namespace {

// Arbitrary but fixed: the first key of every partition lock ("hcpt"); the second is the
// table name's hash.
constexpr int kPartitionLockKey = 0x68637074;

// Each bound as microseconds since the epoch, NULL for MINVALUE / MAXVALUE. The bound text is
// cast back in the same session that printed it, so TimeZone and DateStyle do not matter.
constexpr const char* kListPartitions =
    "SELECT c.relname,"
    " CASE WHEN b[1] = 'MINVALUE' THEN NULL"
    "  ELSE (extract(epoch FROM btrim(b[1], '''')::timestamptz) * 1000000)::bigint END,"
    " CASE WHEN b[2] = 'MAXVALUE' THEN NULL"
    "  ELSE (extract(epoch FROM btrim(b[2], '''')::timestamptz) * 1000000)::bigint END"
    " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
    " CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),"
    "  '^FOR VALUES FROM \\((.*)\\) TO \\((.*)\\)$') AS b"
    " WHERE i.inhparent = $1::regclass AND b IS NOT NULL";

std::optional<WallTime> bound(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return WallTime(std::chrono::microseconds(field.as<std::int64_t>()));
}

}  // namespace

void lock_partitions(pqxx::transaction_base& txn, const std::string& table) {
  txn.exec_params(fmt::format("SELECT pg_advisory_xact_lock({}, hashtext($1))", kPartitionLockKey),
                  table);
}

std::vector<Partition> list_partitions(pqxx::transaction_base& txn, const std::string& table) {
  std::vector<Partition> partitions;
  for (const auto& row : txn.exec_params(kListPartitions, quote_identifier(table))) {
    partitions.push_back(Partition{row[0].as<std::string>(), {bound(row[1]), bound(row[2])}});
  }
  return partitions;
}

std::string create_partition(pqxx::transaction_base& txn, const std::string& table,
                             const PartitionRange& range) {
  std::string name = partition_name(table, range);
  txn.exec0(
      fmt::format("CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})",
                  quote_identifier(name), quote_identifier(table), bound_sql(range.lower, false),
                  bound_sql(range.upper, true)));
  return name;
}

void drop_partition(pqxx::transaction_base& txn, const std::string& partition) {
  txn.exec0("DROP TABLE IF EXISTS " + quote_identifier(partition));
}

EnsuredPartitions ensure_partitions(pqxx::transaction_base& txn, const std::string& table,
                                    const std::vector<WallTime>& times, PartitionInterval interval,
                                    WallTime now) {
  lock_partitions(txn, table);
  EnsuredPartitions result;
  const bool partitioned =
      txn.exec_params1("SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass",
                       quote_identifier(table))[0]
          .as<bool>();
  if (!partitioned) {
    result.all.push_back({table, {}});  // a plain table holds every time
    return result;
  }
  result.all = list_partitions(txn, table);
  for (const auto& range : missing_partitions(result.all, times, interval, now)) {
    Partition created{create_partition(txn, table, range), range};
    result.created.push_back(created);
    result.all.push_back(std::move(created));
  }
  return result;
}

std::string describe(const PartitionRange& range) {
  return fmt::format("[{}, {})", range.lower ? format_timestamp(*range.lower) : "MINVALUE",
                     range.upper ? format_timestamp(*range.upper) : "MAXVALUE");
}

}  // namespace hc::store
