// Where one write's time went: the wall time of each statement PgWriter sends for one table
// in one transaction, as plain named fields. PgWriter fills one per table written and logs it
// at debug level (`hc --consumer --log-level debug`); bench/consumer/run.sh sums the lines.
//
// Plain values; thread: whoever owns the PgWriter.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace hc::store {

struct WriteTrace {
  std::size_t rows = 0;            // rows of the table in this transaction
  std::size_t latest_rows = 0;     // the newest of them per site (what <table>_latest may take)
  std::size_t hours = 0;           // distinct hours marked for the rollups
  bool upserted = false;           // the rows went through the upsert (a key existed)
  std::int64_t partitions_us = 0;  // partitions checked or created (0 while all are cached)
  std::int64_t begin_us = 0;       // BEGIN
  std::int64_t rows_us = 0;        // the rows into the table: COPY, or COPY into staging + upsert
  // <table>_latest and the rollup marks of the rows' hours: COPY of the newest row per site
  // into the latest staging table, then one statement for the upsert and the marks.
  std::int64_t latest_us = 0;
  std::int64_t commit_us = 0;  // COMMIT
};

// "write trace: DB lane 0/2: 2500 rows (copy) in 21.4 ms: partitions 0.0, begin 0.1, rows 15.2,
// latest+marks 4.3 (1200 sites, 1 hours), commit 1.5": one log line, DB the database's name.
std::string describe(const WriteTrace& trace, const std::string& database, std::size_t lane,
                     std::size_t lanes);

// Microseconds since the last lap (or construction): one phase of a trace at a time.
class Stopwatch {
 public:
  std::int64_t lap_us() {
    const auto now = std::chrono::steady_clock::now();
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - last_);
    last_ = now;
    return elapsed.count();
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace hc::store
