// Creating and upgrading the tables hc writes (`hc migrate`, and the consumer at start).
#pragma once

#include "hc/common/config.h"

namespace hc {

// Creates or upgrades every configured table through the numbered migrations (recorded
// in hc_schema_migrations), under an advisory lock so concurrent callers are safe, and
// creates the partitions ahead of each measurements table.
// Throws std::runtime_error naming the database (without password) and table on failure.
void migrate_all(const ConsumerConfig& config);

}  // namespace hc
