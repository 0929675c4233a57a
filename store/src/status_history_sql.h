// The query of a site's buckets (hourly or per UTC day), shared by read_site_history and the
// site page's reader (site_detail.cpp).
#pragma once

#include <string>

#include "hc/store/status.h"

namespace hc::store {

// Parameters: $1 the site's url_digest (hex), $2 the first bucket's start (timestamptz text,
// bucket-aligned), $3..$6 the table's RollupBounds. One row per bucket with checks, oldest
// first: start (µs since the epoch), checks, up_checks, p95 µs, p50 µs (NULL without response
// times), the bucket's cumulative histogram as int[] text, min and max response µs.
std::string history_sql(const std::string& table, HistoryStep step);

}  // namespace hc::store
