// Which rows a table can take at all, decided by time alone: the rule the consumer applies
// before writing and the partition upkeep relies on.
#pragma once

#include <chrono>

#include "hc/common/message.h"

namespace hc {

// How far after the consumer's clock a row may be; beyond, it is refused (kTooFarAhead).
inline constexpr std::chrono::days kFutureLimit{7};

// Whether a row at `time` can be written at `now` into a table that keeps rows
// `retention_days` (0 = forever): kExpired rows are past retention (their partition is or will
// be dropped), kTooFarAhead rows lie beyond the partitions hc keeps ahead (a clock far off).
// The consumer drops both before writing (see TableWriter::write's REQUIRES).
enum class RowFate { kWrite, kExpired, kTooFarAhead };
RowFate row_fate(WallTime time, WallTime now, int retention_days);

}  // namespace hc
