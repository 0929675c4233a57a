// `hc status`'s state column: each site's current state (up, down, unknown) and since when,
// from the newest event per URL in the events tables (routes with kind: events).
//
// Called by read_site_status after it has read the measurement tables; one connection per
// database holding an events table.
#pragma once

#include <vector>

#include "hc/store/status.h"

namespace hc::store {

// Sets SiteSummary::state and state_since of every site, matched by URL across all events
// tables: the newest event's to_state and at (the newest over all tables when several hold
// the URL); "unknown" and no since for a site without events. Appends the sites that only
// events name (no measurement fields; table: the events table of the newest event), sorted
// by table then URL. Leaves everything unchanged when the config has no events table. Throws
// MissingStatusTable before `hc migrate`; std::runtime_error naming the database (password
// redacted) and table otherwise.
void add_site_states(const ConsumerConfig& config, std::vector<SiteSummary>& sites);

// The newest event per URL of `table`: url, to_state, at in microseconds since the epoch.
std::string newest_states_sql(const std::string& table);

}  // namespace hc::store
