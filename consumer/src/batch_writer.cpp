#include "batch_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <future>
#include <iterator>

namespace hc::consumer {

BatchWriter::BatchWriter(const Router& router, ConsumerStats& stats,
                         const RowSinkFactory& make_sink, std::size_t lanes,
                         std::function<void()> on_done)
    : router_(router), stats_(stats), on_done_(std::move(on_done)) {
  for (std::size_t d = 0; d < router_.database_uris().size(); ++d) {
    auto& database = databases_.emplace_back();
    for (std::size_t lane = 0; lane < std::max<std::size_t>(lanes, 1); ++lane) {
      database.push_back(make_sink(router_.database_uris()[d], router_.tables_in(d)));
    }
  }
  thread_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BatchWriter::start(PendingBatch pending) {
  {
    MutexLock lock(mutex_);
    job_ = std::move(pending);
    job_done_ = false;
  }
  changed_.notify_all();
}

bool BatchWriter::busy() const {
  MutexLock lock(mutex_);
  return job_.has_value();
}

std::optional<std::pair<PendingBatch, WriteResult>> BatchWriter::finish(
    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mutex_);
  while (job_ && !job_done_ && changed_.wait_until(mutex_, deadline)) {
  }
  if (!job_ || !job_done_) return std::nullopt;
  std::pair<PendingBatch, WriteResult> done{std::move(*job_), std::move(result_)};
  job_.reset();
  job_done_ = false;
  return done;
}

void BatchWriter::run() {
  MutexLock lock(mutex_);
  while (true) {
    while (!stopping_ && !(job_ && !job_done_)) changed_.wait(mutex_);
    if (stopping_) return;
    // The loop thread does not touch job_ while it is in flight (busy() is true), so
    // the batch is written outside the lock.
    PendingBatch& pending = *job_;
    lock.unlock();
    WriteResult result = write(pending);
    lock.lock();
    result_ = std::move(result);
    job_done_ = true;
    changed_.notify_all();
    lock.unlock();
    if (on_done_) on_done_();
    lock.lock();
  }
}

WriteResult BatchWriter::write(PendingBatch& pending) {
  const auto& sinks = router_.sinks();
  if (pending.database_written.size() != databases_.size()) {
    pending.database_written.assign(databases_.size(), false);
  }
  for (std::size_t d = 0; d < databases_.size(); ++d) {
    if (pending.database_written[d]) continue;  // committed by an earlier attempt
    std::vector<RejectedRow> rejected;
    try {
      if (pending.batch.empty()) {
        databases_[d].front()->ping();
        continue;
      }
      std::vector<const TableRows*> rows(router_.tables_in(d).size(), nullptr);
      for (std::size_t s = 0; s < sinks.size(); ++s) {
        if (sinks[s].database == d) rows[sinks[s].table_in_database] = &pending.batch.table(s);
      }
      const auto started = std::chrono::steady_clock::now();
      try {
        write_database(d, rows);
      } catch (const DbError& error) {
        if (error.error_class() != DbErrorClass::kRowData) throw;
        spdlog::debug("{}; looking for the rows it refuses", error.what());
        isolate_refused_rows(d, pending.batch, rejected);
      }
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      stats_.commit_seconds.Observe(took.count());
      spdlog::debug("wrote a batch of {} messages to {} in {:.1f} ms",
                    pending.batch.message_count(), database_name(d), took.count() * 1000);
    } catch (const DbError& error) {
      return WriteResult{false, d, error.error_class(), error.sqlstate(), error.what()};
    } catch (const std::exception& error) {
      ClassifiedError classified = classify_exception(error);
      return WriteResult{false, d, classified.error_class, classified.sqlstate,
                         database_name(d) + ": " + classified.message};
    }
    pending.database_written[d] = true;
    for (std::size_t s = 0; s < sinks.size(); ++s) {
      if (sinks[s].database != d) continue;
      const auto refused = static_cast<std::size_t>(
          std::ranges::count_if(rejected, [s](const RejectedRow& row) { return row.sink == s; }));
      stats_.rows_written(s).fetch_add(pending.batch.table(s).size() - refused,
                                       std::memory_order_relaxed);
      stats_.batch_rows.Observe(static_cast<double>(pending.batch.table(s).size()));
    }
    std::ranges::move(rejected, std::back_inserter(pending.rejected));
  }
  return WriteResult{};
}

void BatchWriter::isolate_refused_rows(std::size_t database, const Batch& batch,
                                       std::vector<RejectedRow>& rejected) {
  RowSink& sink = *databases_[database].front();
  const auto& sinks = router_.sinks();
  for (std::size_t s = 0; s < sinks.size(); ++s) {
    if (sinks[s].database != database || batch.table(s).empty()) continue;
    const std::size_t table = sinks[s].table_in_database;
    try {
      sink.check_table_accepts_rows(table);
    } catch (const DbError& error) {
      if (error.error_class() != DbErrorClass::kRowData) throw;
      // Even a well-formed row is refused: the table is wrong, not the rows.
      throw DbError(DbErrorClass::kDefinition, error.sqlstate(), error.postgres_message(),
                    fmt::format("table {} in database {} refuses every row",
                                router_.table(sinks[s]).name, database_name(database)));
    }
    const std::size_t before = rejected.size();
    bisect(sink, s, table, batch.table(s), 0, batch.table(s).size(), std::nullopt, rejected);
    if (rejected.size() > before) {
      spdlog::debug("table {} in database {} refused {} of {} rows", router_.table(sinks[s]).name,
                    database_name(database), rejected.size() - before, batch.table(s).size());
    }
  }
}

bool BatchWriter::bisect(RowSink& database, std::size_t sink, std::size_t table,
                         const TableRows& rows, std::size_t begin, std::size_t end,
                         std::optional<DbError> failure, std::vector<RejectedRow>& rejected) {
  if (!failure) {
    TableRows part;
    part.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) part.add(rows.rows()[i], rows.origins()[i]);
    std::vector<const TableRows*> rows_per_table(table + 1, nullptr);
    rows_per_table[table] = &part;
    try {
      database.write(rows_per_table, RowLane{});
      return true;
    } catch (const DbError& error) {
      if (error.error_class() != DbErrorClass::kRowData) throw;
      failure = error;
    }
  }
  if (end - begin == 1) {
    rejected.push_back(RejectedRow{sink, rows.rows()[begin], rows.origins()[begin],
                                   failure->sqlstate(), failure->postgres_message()});
    return false;
  }
  const std::size_t middle = begin + (end - begin) / 2;
  const bool first_half_written =
      bisect(database, sink, table, rows, begin, middle, std::nullopt, rejected);
  // If the first half went in, the failure came from the second: no need to try it whole.
  bisect(database, sink, table, rows, middle, end,
         first_half_written ? std::move(failure) : std::nullopt, rejected);
  return false;
}

void BatchWriter::write_database(std::size_t database, const std::vector<const TableRows*>& rows) {
  auto& lanes = databases_[database];
  std::vector<std::future<void>> other_lanes;
  for (std::size_t lane = 1; lane < lanes.size(); ++lane) {
    other_lanes.push_back(std::async(std::launch::async, [&lanes, &rows, lane] {
      lanes[lane]->write(rows, RowLane{lane, lanes.size()});
    }));
  }
  std::exception_ptr first_error;
  try {
    lanes.front()->write(rows, RowLane{0, lanes.size()});
  } catch (...) {
    first_error = std::current_exception();
  }
  for (auto& lane : other_lanes) {
    try {
      lane.get();  // joins: no lane outlives this write
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace hc::consumer
