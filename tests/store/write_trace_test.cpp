// The write trace's log line: bench/consumer/run.sh reads these fields by name.
#include "write_trace.h"

#include <gtest/gtest.h>

namespace hc::store {
namespace {

TEST(WriteTrace, OneLineNamesEveryStatementWithItsMilliseconds) {
  WriteTrace trace;
  trace.rows = 2500;
  trace.latest_rows = 170;
  trace.hours = 2;
  trace.upserted = true;
  trace.partitions_us = 100;
  trace.begin_us = 2'000;
  trace.rows_us = 15'250;
  trace.latest_us = 4'300;
  trace.commit_us = 1'500;
  EXPECT_EQ(describe(trace, "postgresql://hc@127.0.0.1:5432/hc", 1, 2),
            "write trace: postgresql://hc@127.0.0.1:5432/hc lane 1/2: 2500 rows (upsert) in "
            "23.1 ms: partitions 0.1, begin 2.0, rows 15.2, latest+marks 4.3 (170 sites, 2 "
            "hours), commit 1.5");
}

}  // namespace
}  // namespace hc::store
