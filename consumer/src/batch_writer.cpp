#include "batch_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <future>

namespace hc::consumer {

BatchWriter::BatchWriter(const Router& router, ConsumerStats& stats, std::size_t lanes,
                         std::function<void()> on_done)
    : router_(router), stats_(stats), on_done_(std::move(on_done)) {
  for (std::size_t d = 0; d < router_.database_uris().size(); ++d) {
    auto& database = databases_.emplace_back();
    for (std::size_t lane = 0; lane < std::max<std::size_t>(lanes, 1); ++lane) {
      database.push_back(
          std::make_unique<PgSink>(router_.database_uris()[d], router_.tables_of(d)));
    }
  }
  thread_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void BatchWriter::start(PendingBatch pending) {
  {
    std::lock_guard lock(mutex_);
    job_ = std::move(pending);
    job_done_ = false;
  }
  changed_.notify_all();
}

bool BatchWriter::busy() const {
  std::lock_guard lock(mutex_);
  return job_.has_value();
}

std::optional<std::pair<PendingBatch, WriteResult>> BatchWriter::finish(
    std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [this] { return !job_ || job_done_; }) || !job_) {
    return std::nullopt;
  }
  std::pair<PendingBatch, WriteResult> done{std::move(*job_), std::move(result_)};
  job_.reset();
  job_done_ = false;
  return done;
}

void BatchWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stopping_ || (job_ && !job_done_); });
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
    try {
      if (pending.batch.empty()) {
        databases_[d].front()->ping();
        continue;
      }
      std::vector<const TableRows*> rows(router_.tables_of(d).size(), nullptr);
      for (std::size_t s = 0; s < sinks.size(); ++s) {
        if (sinks[s].database == d) rows[sinks[s].table_in_database] = &pending.batch.table(s);
      }
      const auto started = std::chrono::steady_clock::now();
      write_database(d, rows);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
      stats_.commit_seconds.Observe(took.count());
      spdlog::debug("wrote a batch of {} messages to {} in {:.1f} ms",
                    pending.batch.message_count(), database_name(d), took.count() * 1000);
    } catch (const std::exception& error) {
      return WriteResult{false, d, error.what()};
    }
    pending.database_written[d] = true;
    for (std::size_t s = 0; s < sinks.size(); ++s) {
      if (sinks[s].database == d) {
        stats_.rows_written(s).fetch_add(pending.batch.table(s).size(), std::memory_order_relaxed);
        stats_.batch_rows.Observe(static_cast<double>(pending.batch.table(s).size()));
      }
    }
  }
  return WriteResult{};
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
