#include "pg_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "measurement_columns.h"
#include "partition_catalog.h"
#include "pg_migrations.h"
#include "pg_sql.h"
#include "rollup_sql.h"
#include "rollups.h"
#include "write_trace.h"

namespace hc::store {
namespace {

WallTime wall_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string staging_table(std::size_t table_index) {
  return fmt::format("hc_staging_{}", table_index);
}
// Batches that go straight to the upsert after a conflict on the fast path: replays come
// in runs (a restarted consumer re-reads up to one uncommitted batch per partition).
constexpr int kUpsertOnlyBatchesAfterConflict = 16;
constexpr const char* kUniqueViolation = "23505";

std::string upsert_statement(std::size_t table_index) {
  return fmt::format("hc_upsert_{}", table_index);
}
std::string latest_upsert_statement(std::size_t table_index) {
  return fmt::format("hc_latest_upsert_{}", table_index);
}

// One statement, one round trip: the rollup marks of the rows' hours ($1 the table, $2 the
// hours) and the latest table's upsert of the rows just written whose keys are $3 (their
// url_digests, hex) and $4 (their times): read back from the table in this transaction, so
// they are exactly what it now holds. A data-modifying WITH runs whether or not the outer
// statement reads it.
std::string latest_and_marks_sql(const std::string& table) {
  return fmt::format("WITH marked AS ({}) {}", mark_pending_hours_sql(),
                     latest_upsert_sql(measurement_columns(), latest_table_name(table),
                                       keyed_rows_sql(measurement_columns(), table, 3)));
}

// Sends `rows` as COPY text into `table` (already quoted or a plain staging name).
// The rows are formatted by us into ~256 KB chunks; a chunk may hold many rows, since
// COPY data is a byte stream. libpqxx 6.4 offers raw COPY lines only through
// tablewriter, deprecated in favour of stream_to, whose per-field conversions cost
// more than the database's own work here. Each chunk is held three times per lane (ours,
// tablewriter's copy with its newline, libpq's output buffer), so its size is a memory
// cost of each lane; 256 KB is still ~1,000 rows per send.
void copy_rows(pqxx::transaction_base& txn, const std::string& table, const TableSchema& schema,
               const std::vector<const Row*>& rows) {
  constexpr std::size_t kChunkBytes = std::size_t{256} << 10;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const std::vector<std::string> columns = column_names(schema.columns);
  pqxx::tablewriter writer(txn, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
  std::string chunk;
  chunk.reserve(kChunkBytes + 4096);
  for (const Row* row : rows) {
    schema.append_copy_row(chunk, *row);
    if (chunk.size() >= kChunkBytes) {
      chunk.pop_back();  // write_raw_line adds the last newline itself
      writer.write_raw_line(chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty()) {
    chunk.pop_back();
    writer.write_raw_line(chunk);
  }
  writer.complete();
}

// True if `rows` (may be null) holds a row of `lane`.
bool has_rows_of(const TableRows* rows, RowLane lane) {
  return rows != nullptr &&
         std::ranges::any_of(rows->rows(), [lane](const Row& row) { return lane.holds(row); });
}

// The rows of `lane`, in batch order.
std::vector<const Row*> lane_rows(const TableRows& rows, RowLane lane) {
  std::vector<const Row*> held;
  held.reserve(rows.size());
  for (const auto& row : rows.rows()) {
    if (lane.holds(row)) held.push_back(&row);
  }
  return held;
}

// Hashes a url_digest by its first 16 hex digits: a SHA-256's digits are already uniform, so
// hashing all 64 would only cost more (this runs for every row written).
struct DigestHash {
  std::size_t operator()(std::string_view digest) const {
    std::uint64_t bits = 0;
    std::memcpy(&bits, digest.data(), std::min(digest.size(), sizeof bits));
    return std::hash<std::uint64_t>{}(bits);
  }
};

// What the latest table and the rollup marks take from a lane's rows: the key of the newest
// row per site (as a text[] literal of url_digests and a timestamptz[] literal of their times,
// pairwise), and the hours the rows fall in (a timestamptz[] literal, ascending).
struct LatestAndHours {
  std::string newest_digests;
  std::string newest_times;
  std::size_t newest_count = 0;
  std::string hours;
  std::size_t hour_count = 0;
};

LatestAndHours latest_and_hours(const std::vector<const Row*>& rows) {
  std::unordered_map<std::string_view, const Row*, DigestHash> newest;
  std::set<WallTime> hours;
  // A batch's rows mostly share an hour: a set lookup only when the hour changes.
  std::optional<WallTime> last_hour;
  for (const Row* row : rows) {
    const WallTime time = row_time(*row);
    auto [slot, inserted] = newest.try_emplace(row_url_digest(*row), row);
    if (!inserted && time > row_time(*slot->second)) slot->second = row;
    const WallTime hour = hour_floor(time);
    if (hour != last_hour) {
      hours.insert(hour);
      last_hour = hour;
    }
  }
  LatestAndHours result;
  result.newest_digests = "{";
  result.newest_times = "{";
  for (const auto& [digest, row] : newest) {
    if (result.newest_digests.size() > 1) {
      result.newest_digests.push_back(',');
      result.newest_times.push_back(',');
    }
    result.newest_digests += digest;
    append_timestamp(result.newest_times, row_time(*row));
  }
  result.newest_digests.push_back('}');
  result.newest_times.push_back('}');
  result.newest_count = newest.size();
  result.hours = "{";
  for (const WallTime hour : hours) {
    if (result.hours.size() > 1) result.hours.push_back(',');
    result.hours += format_timestamp(hour);
  }
  result.hours.push_back('}');
  result.hour_count = hours.size();
  return result;
}

}  // namespace

PgWriter::PgWriter(const std::string& connection_string, std::vector<TableSpec> tables,
                   const SessionSettings& session)
    : target_(connection_target(connection_string, session)),
      tables_(std::move(tables)),
      upsert_only_batches_(tables_.size(), 0),
      partitions_(tables_.size()) {
  for (const auto& table : tables_) schemas_.push_back(&table_schema(table.kind));
}

PgWriter::~PgWriter() = default;

DbError PgWriter::failure(const std::exception& error, const std::string& doing) {
  // Whatever failed (network, server restart, constraint), start the next attempt
  // from a fresh session rather than guess the state of this one.
  connection_.reset();
  ClassifiedError classified = classify_exception(error);
  return DbError(
      classified.error_class, classified.sqlstate,
      scrub_secrets(std::move(classified.message), target_),
      doing.empty() ? "database " + target_.name : doing + " in database " + target_.name);
}

pqxx::connection& PgWriter::connection() {
  if (connection_) return *connection_;
  std::unique_ptr<pqxx::connection> fresh = open_connection(target_);
  // Staging tables and prepared statements belong to the session: set up once per
  // connection, so every reconnect repeats this.
  {
    pqxx::nontransaction setup(*fresh);
    for (std::size_t i = 0; i < tables_.size(); ++i) {
      setup.exec0(create_staging_table_sql(schemas_[i]->columns, staging_table(i)));
    }
  }
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    fresh->prepare(upsert_statement(i), upsert_from_staging_sql(schemas_[i]->columns,
                                                                tables_[i].name, staging_table(i)));
    if (is_measurements_table(i)) {
      fresh->prepare(latest_upsert_statement(i), latest_and_marks_sql(tables_[i].name));
    }
  }
  connection_ = std::move(fresh);
  return *connection_;
}

void PgWriter::migrate() {
  std::size_t current = 0;
  try {
    std::unique_ptr<pqxx::connection> migrating = open_connection(target_);
    for (; current < tables_.size(); ++current) {
      const TableSpec& table = tables_[current];
      const TableSchema& schema = *schemas_[current];
      migrate_table(*migrating, table.name, schema.columns, schema.migrations(), table.kind);
      if (!is_measurements_table(current)) continue;
      pqxx::work txn(*migrating, "hc_partitions_ahead");
      const WallTime now = wall_now();
      for (const auto& created :
           ensure_partitions(txn, table.name, intervals_ahead(table.partition_interval, now),
                             table.partition_interval, now)
               .created) {
        spdlog::info("table {}: created partition {} for {}", table.name, created.name,
                     describe(created.range));
      }
      txn.commit();
    }
  } catch (const std::exception& error) {
    throw std::runtime_error(fmt::format("migrating table {} in database {} failed: {}",
                                         tables_.at(current).name, target_.name,
                                         scrub_secrets(one_line(error.what()), target_)));
  }
}

void PgWriter::ping() {
  try {
    pqxx::nontransaction probe(connection());
    probe.exec1("SELECT 1");
  } catch (const std::exception& error) {
    throw failure(error, "");
  }
}

void PgWriter::check_table_accepts_rows(std::size_t table) {
  const WallTime now = wall_now();  // a time every table keeps (see row_fate)
  const Row sample = schemas_.at(table)->sample_row(now);
  const std::vector<const Row*> rows = {&sample};
  try {
    if (is_measurements_table(table)) ensure_partitions_for(table, {now});
    pqxx::work txn(connection(), "hc_table_check");
    copy_rows(txn, staging_table(table), *schemas_[table], rows);
    txn.exec_prepared0(upsert_statement(table));
    WriteTrace unused;
    if (is_measurements_table(table)) record_latest_and_hours(txn, table, rows, unused);
    txn.abort();  // the check leaves nothing behind
  } catch (const std::exception& error) {
    throw failure(error, "checking table " + tables_.at(table).name);
  }
}

bool PgWriter::try_copy_new_rows(pqxx::work& txn, std::size_t table,
                                 const std::vector<const Row*>& rows) {
  try {
    copy_rows(txn, quote_identifier(tables_[table].name), *schemas_[table], rows);
    return true;
  } catch (const pqxx::sql_error& error) {
    // The transaction is aborted; the caller rolls it back whole.
    if (error.sqlstate() == kUniqueViolation) return false;
    throw;
  }
}

void PgWriter::upsert_rows(pqxx::work& txn, std::size_t table,
                           const std::vector<const Row*>& rows) {
  copy_rows(txn, staging_table(table), *schemas_[table], rows);
  txn.exec_prepared0(upsert_statement(table));
}

void PgWriter::record_latest_and_hours(pqxx::work& txn, std::size_t table,
                                       const std::vector<const Row*>& rows, WriteTrace& trace) {
  Stopwatch stopwatch;
  const LatestAndHours latest = latest_and_hours(rows);
  trace.latest_rows += latest.newest_count;
  trace.hours += latest.hour_count;
  txn.exec_prepared0(latest_upsert_statement(table), tables_[table].name, latest.hours,
                     latest.newest_digests, latest.newest_times);
  trace.latest_us += stopwatch.lap_us();
}

void PgWriter::ensure_partitions_for(std::size_t table, const TableRows& rows, RowLane lane) {
  std::vector<WallTime> uncovered;
  for (const auto& row : rows.rows()) {
    if (!lane.holds(row)) continue;
    const WallTime time = row_time(row);
    const bool known = std::ranges::any_of(
        partitions_[table], [time](const Partition& p) { return p.range.contains(time); });
    if (!known) uncovered.push_back(time);
  }
  if (!uncovered.empty()) ensure_partitions_for(table, uncovered);
}

void PgWriter::ensure_partitions_for(std::size_t table, const std::vector<WallTime>& times) {
  pqxx::work txn(connection(), "hc_partitions");
  EnsuredPartitions ensured = ensure_partitions(txn, tables_[table].name, times,
                                                tables_[table].partition_interval, wall_now());
  txn.commit();
  for (const auto& created : ensured.created) {
    spdlog::info("table {}: created partition {} for {} (a row needed it)", tables_[table].name,
                 created.name, describe(created.range));
  }
  partitions_[table] = std::move(ensured.all);
}

bool PgWriter::try_write_transaction(const std::vector<const TableRows*>& rows_per_table,
                                     RowLane lane, WriteTrace& trace, Stopwatch& stopwatch,
                                     std::size_t& current) {
  // Counts of this attempt only; the times add up over attempts.
  trace.rows = 0;
  trace.latest_rows = 0;
  trace.hours = 0;
  pqxx::work txn(connection(), "hc_batch");
  trace.begin_us += stopwatch.lap_us();
  for (current = 0; current < rows_per_table.size() && current < tables_.size(); ++current) {
    const TableRows* rows = rows_per_table[current];
    if (!has_rows_of(rows, lane)) continue;
    const std::vector<const Row*> held = lane_rows(*rows, lane);
    trace.rows += held.size();
    if (upsert_only_batches_[current] > 0) {
      --upsert_only_batches_[current];
      upsert_rows(txn, current, held);
      trace.upserted = true;
    } else if (!try_copy_new_rows(txn, current, held)) {
      upsert_only_batches_[current] = kUpsertOnlyBatchesAfterConflict;
      txn.abort();
      trace.rows_us += stopwatch.lap_us();
      return false;
    }
    trace.rows_us += stopwatch.lap_us();
    if (is_measurements_table(current)) record_latest_and_hours(txn, current, held, trace);
  }
  txn.commit();
  trace.commit_us += stopwatch.lap_us();
  return true;
}

void PgWriter::write(const std::vector<const TableRows*>& rows_per_table, RowLane lane) {
  const auto has_lane_rows = [lane](const TableRows* rows) { return has_rows_of(rows, lane); };
  // Small batches often leave a lane nothing: it then opens no transaction at all.
  if (std::ranges::none_of(rows_per_table, has_lane_rows)) return;
  std::size_t current = 0;
  WriteTrace trace;
  Stopwatch stopwatch;
  try {
    for (; current < rows_per_table.size() && current < tables_.size(); ++current) {
      if (is_measurements_table(current) && has_lane_rows(rows_per_table[current])) {
        ensure_partitions_for(current, *rows_per_table[current], lane);
      }
    }
    trace.partitions_us = stopwatch.lap_us();
    // A key that exists (a replay) fails the fast path's COPY and with it the transaction,
    // which is then written again whole with that table upserting. Each retry moves one more
    // table to the upsert, so this ends after at most one attempt per table and one more.
    while (!try_write_transaction(rows_per_table, lane, trace, stopwatch, current)) {
    }
  } catch (const std::exception& error) {
    // A partition dropped since it was cached (by hand, or retention on a consumer whose clock
    // runs ahead): forget what is cached, so the retry re-reads the catalog and creates it.
    for (auto& known : partitions_) known.clear();
    throw failure(error,
                  "writing to table " + tables_.at(std::min(current, tables_.size() - 1)).name);
  }
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("{}", describe(trace, target_.name, lane.index, lane.count));
  }
}

}  // namespace hc::store
