// `hc status`: per-site summary read back from the consumer's tables.
//
// Reads what the migrations create beside each table: <table>_latest (one row per site with
// its newest measurement, `select * from healthcheck_latest` in psql) and, for the window, the
// closed hours of the hourly rollup plus the raw rows of the hours not closed yet (the open
// hour, a partial first hour, hours with late rows). It never reads the raw rows of the whole
// window.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/common/message.h"

namespace hc {

struct SiteStatus {
  std::string table;
  std::string url;
  std::optional<int> last_status_code;
  WallTime last_checked_at;
  std::optional<std::string> last_error;  // error class of the newest measurement
  // Conditions the newest measurement failed (empty when none, or from older producers).
  std::vector<std::string> last_failed_conditions;
  std::int64_t checks = 0;  // in the window
  // Up checks / checks in the window: up is the producer's verdict (`healthy`) when the
  // row has one, else "no error".
  double uptime_percent = 0;
  // From the window's latency histogram (hc_histogram_percentile): within one bucket.
  std::optional<std::int64_t> p50_response_us;
  std::optional<std::int64_t> p95_response_us;
  std::optional<double> cert_days_left;  // from the newest measurement, https only
};

// Thrown by read_site_status when a table or view it reads does not exist (SQLSTATE 42P01,
// undefined_table): the database was never migrated. what() is one line naming the
// relation, the configured table and the database (password redacted).
class MissingStatusTable : public std::runtime_error {
 public:
  MissingStatusTable(const std::string& relation, const std::string& table,
                     const std::string& database);
};

// One row per site of every configured table, sorted by table then URL. `window` bounds
// the aggregates (uptime, percentiles), not which sites appear.
// Throws MissingStatusTable before `hc migrate`; std::runtime_error naming the database
// (password redacted) and table for any other failure.
std::vector<SiteStatus> read_site_status(const ConsumerConfig& config, std::chrono::seconds window,
                                         WallTime now);

// A terminal table: one line per site, columns aligned.
std::string render_status_table(const std::vector<SiteStatus>& sites);
// A JSON array of objects with the SiteStatus fields (snake_case names).
std::string render_status_json(const std::vector<SiteStatus>& sites);

}  // namespace hc
