// The overview's row of one site (read_status_overview's query for a single url_digest), for
// readers that show one site (site_detail.cpp) inside their own transaction.
#pragma once

#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "hc/store/status.h"
#include "status_tables.h"

namespace hc::store {

// The SiteOverview of the site whose url_digest (hex) is `digest` in `table` as of `now`, read
// in `transaction` with the table's `bounds`; nullopt when the table does not have the site.
// `config`: for redact_query_params and the events table beside `table` (the state's source).
// Throws what libpqxx throws.
std::optional<SiteOverview> read_one_site_overview(pqxx::transaction_base& transaction,
                                                   const ConsumerConfig& config,
                                                   const std::string& table,
                                                   const std::string& digest, WallTime now,
                                                   const RollupBounds& bounds);

}  // namespace hc::store
