// Writes batches into the databases on a thread of its own, so the consumer loop decodes
// the next batch while PostgreSQL stores this one (the two then use both cores).
//
// Each database gets `lanes` connections (RowSinks, PgSink in production): a batch's rows
// for that database are split by key into that many shares (RowLane), written
// concurrently, each share in its own transaction. One PostgreSQL backend parses COPY on
// one core, so one connection caps a database at what psql's \copy reaches; two keep it
// busy while the other waits for data. A database counts as written once all its lanes
// committed; if one fails, the retry writes all lanes again, and the lanes that had
// committed only upsert identical rows, which is a no-op.
//
// Rows the database refuses (DbErrorClass::kRowData) are found, as Kafka Connect's JDBC
// sink does in unrollAndRetry: first one synthetic row checks that the table itself
// accepts rows (if not, the error is about the table: DbErrorClass::kDefinition); then
// the table's rows are bisected, each half in its own transaction, down to the single
// rows that fail. Cost: about 2 log2(n) transactions per refused row, 2n - 1 when all n
// are refused. The good rows are written; the refused ones are handed back in
// PendingBatch::rejected for the loop to dead-letter. Any other error ends the write
// with that error; nothing of the bisect's findings is kept then, so a retry finds the
// same rows again and hands each back once.
//
// Owns the RowSinks: only the writer thread (and the lane threads it starts and joins
// within one write) touch them. The loop thread calls start(), busy() and finish();
// one batch is in flight at a time. (Dead letters are sent by the loop, on its thread:
// DeadLetterSink is single-threaded.)
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"
#include "consumer_stats.h"
#include "hc/common/mutex.h"
#include "hc/store/db_error.h"
#include "router.h"
#include "row_sink.h"

namespace hc::consumer {

// A row a table refused for its data (DbErrorClass::kRowData), left out of the write.
struct RejectedRow {
  std::size_t sink = 0;  // index into Router::sinks(): the table that refused it
  Row row;
  RowOrigin origin;
  std::string sqlstate;
  std::string message;  // Postgres' message, without secrets
};

// A batch on its way to the databases, with which databases already committed it (a
// retry after an outage writes only the others).
struct PendingBatch {
  Batch batch;
  std::vector<bool> database_written;
  std::uint64_t generation = 0;  // the group assignment it was read under
  // Rows left out of the databases already written; the loop dead-letters them (and
  // takes them out) before it commits the batch's offsets.
  std::vector<RejectedRow> rejected;
};

struct WriteResult {
  bool ok = true;
  std::size_t failed_database = 0;                   // when !ok
  DbErrorClass error_class = DbErrorClass::kOutage;  // when !ok; never row_data
  std::string sqlstate;                              // when !ok; "" if none
  std::string error;  // when !ok: database (no password), table, Postgres' message
};

// Makes the RowSink for one connection to `connection_string` writing `tables` (table i of
// the sink is tables[i]).
using RowSinkFactory = std::function<std::unique_ptr<RowSink>(
    const std::string& connection_string, const std::vector<TableSpec>& tables)>;

class BatchWriter {
 public:
  // One sink per lane per database of `router`, from `make_sink`. on_done runs on the
  // writer thread after each job (e.g. to wake the loop's poll).
  BatchWriter(const Router& router, ConsumerStats& stats, const RowSinkFactory& make_sink,
              std::size_t lanes, std::function<void()> on_done);
  ~BatchWriter();  // finishes the job in hand, then stops the thread
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Starts writing every database not yet written for `pending`. A pending batch without
  // messages checks that every database answers instead. REQUIRES: !busy().
  void start(PendingBatch pending);
  bool busy() const;
  // Waits up to `timeout` for the job in flight; returns it with its result once done.
  std::optional<std::pair<PendingBatch, WriteResult>> finish(std::chrono::milliseconds timeout);

  const std::string& database_name(std::size_t database) const {
    return databases_.at(database).front()->name();
  }

 private:
  void run();
  WriteResult write(PendingBatch& pending);
  // Writes one database's rows over all its lanes at once; throws the first lane error.
  void write_database(std::size_t database, const std::vector<const TableRows*>& rows);
  // After a row_data error: writes each table's good rows of `database`, appends the
  // refused ones to `rejected`. Throws DbError for anything else.
  void isolate_refused_rows(std::size_t database, const Batch& batch,
                            std::vector<RejectedRow>& rejected);
  // Bisects rows [begin, end) of sink `sink` (table `table` of the database). `failure`:
  // the error these rows are known to give, if already tried. True if all were written.
  bool bisect(RowSink& database, std::size_t sink, std::size_t table, const TableRows& rows,
              std::size_t begin, std::size_t end, std::optional<DbError> failure,
              std::vector<RejectedRow>& rejected);

  const Router& router_;
  ConsumerStats& stats_;
  std::function<void()> on_done_;
  std::vector<std::vector<std::unique_ptr<RowSink>>> databases_;  // [database][lane]

  mutable Mutex mutex_;
  CondVar changed_;
  std::optional<PendingBatch> job_ GUARDED_BY(mutex_);  // set by start(), taken back by finish()
  bool job_done_ GUARDED_BY(mutex_) = false;
  WriteResult result_ GUARDED_BY(mutex_);
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace hc::consumer
