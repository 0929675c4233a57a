// Writes batches into the databases on a thread of its own, so the consumer loop decodes
// the next batch while PostgreSQL stores this one (the two then use both cores).
//
// Each database gets `lanes` connections (PgSinks): a batch's rows for that database are
// split by key into that many shares (RowLane), written concurrently, each share in its
// own transaction. One PostgreSQL backend parses COPY on one core, so one connection
// caps a database at what psql's \copy reaches; two keep it busy while the other waits
// for data. A database counts as written once all its lanes committed; if one fails,
// the retry writes all lanes again, and the lanes that had committed only upsert
// identical rows, which is a no-op.
//
// Owns the PgSinks: only the writer thread (and the lane threads it starts and joins
// within one write) touch them. The loop thread calls start(), busy() and finish();
// one batch is in flight at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"
#include "consumer_stats.h"
#include "pg_sink.h"
#include "router.h"

namespace hc::consumer {

// A batch on its way to the databases, with which databases already committed it (a
// retry after an outage writes only the others).
struct PendingBatch {
  Batch batch;
  std::vector<bool> database_written;
  std::uint64_t generation = 0;  // the group assignment it was read under
};

struct WriteResult {
  bool ok = true;
  std::size_t failed_database = 0;  // when !ok
  std::string error;                // when !ok: database (no password), table, reason
};

class BatchWriter {
 public:
  // on_done runs on the writer thread after each job (e.g. to wake the loop's poll).
  BatchWriter(const Router& router, ConsumerStats& stats, std::size_t lanes,
              std::function<void()> on_done);
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

  const Router& router_;
  ConsumerStats& stats_;
  std::function<void()> on_done_;
  std::vector<std::vector<std::unique_ptr<PgSink>>> databases_;  // [database][lane]

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<PendingBatch> job_;  // set by start(), taken back by finish()
  bool job_done_ = false;
  WriteResult result_;
  bool stopping_ = false;
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace hc::consumer
