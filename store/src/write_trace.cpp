#include "write_trace.h"

#include <fmt/format.h>

namespace hc::store {
namespace {

double ms(std::int64_t us) { return static_cast<double>(us) / 1000.0; }

}  // namespace

std::string describe(const WriteTrace& trace, const std::string& database, std::size_t lane,
                     std::size_t lanes) {
  const std::int64_t total =
      trace.partitions_us + trace.begin_us + trace.rows_us + trace.latest_us + trace.commit_us;
  return fmt::format(
      "write trace: {} lane {}/{}: {} rows ({}) in {:.1f} ms: partitions {:.1f}, begin {:.1f}, "
      "rows {:.1f}, latest+marks {:.1f} ({} sites, {} hours), commit {:.1f}",
      database, lane, lanes, trace.rows, trace.upserted ? "upsert" : "copy", ms(total),
      ms(trace.partitions_us), ms(trace.begin_us), ms(trace.rows_us), ms(trace.latest_us),
      trace.latest_rows, trace.hours, ms(trace.commit_us));
}

}  // namespace hc::store
