// One site's stored state changes, read from every events table of the config (routes with
// kind: events), for the site page (site_detail.cpp).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/connection_pool.h"
#include "hc/store/site_detail.h"

namespace hc::store {

struct SiteEvents {
  bool has_events_table = false;  // the config has at least one events table
  // Sorted by `at`, one per (at, to_state) over all tables: the newest event at or before
  // `from`, those in (from, to), and the first at or after `to` (so the last incident's end is
  // known). At most kMaxSiteEvents, the newest ones; `truncated` when more were there.
  std::vector<SiteEvent> events;
  bool truncated = false;
  std::optional<SiteEvent> newest;  // the site's newest event of all, whatever the window
};

// The events of the site whose url_digest (hex) is `digest`. One connection per database that
// has an events table (from `pool` when given). Throws MissingStatusTable before `hc migrate`;
// std::runtime_error naming the database (password redacted) and table otherwise.
SiteEvents read_site_events(const ConsumerConfig& config, const std::string& digest, WallTime from,
                            WallTime to, ConnectionPool* pool = nullptr);

// The events of every site, by url_digest (hex), as read_site_events selects them per site
// (without the kMaxSiteEvents bound and without `newest`): the newest at or before `from`,
// those in (from, to), the first at or after `to`. For reports over all sites: one query per
// events table.
struct AllSiteEvents {
  bool has_events_table = false;
  std::map<std::string, std::vector<SiteEvent>> by_digest;
};
AllSiteEvents read_all_site_events(const ConsumerConfig& config, WallTime from, WallTime to,
                                   ConnectionPool* pool = nullptr);

}  // namespace hc::store
