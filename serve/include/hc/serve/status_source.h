// Where `hc serve` gets its data: the query layer, injected into the server so tests can
// give it hostile rows or make it fail without a database.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/status.h"

namespace hc::serve {

// What /api/v1/sites/{url}/history asks for, already validated (history_request.h).
struct HistoryQuery {
  std::string url;    // as in the path: the site's URL, or its url_digest (site_digest())
  std::string table;  // empty: the first configured table that has the site
  WallTime since;
  HistoryStep step = HistoryStep::kHour;
};

// Called from the server's worker threads, several at once: implementations are thread-safe.
// Failures are thrown (std::exception); the server answers 503 and logs what() once.
class StatusSource {
 public:
  virtual ~StatusSource() = default;
  virtual Overview overview(WallTime now, const OverviewPage& page) = 0;
  // nullopt: no table has the site.
  virtual std::optional<SiteHistory> history(const HistoryQuery& query) = 0;
};

// The consumer's tables (read_status_overview, read_site_history) through connections kept
// open between requests (a ConnectionPool: a few idle per database, each checked before it is
// used again), each statement bounded by `statement_timeout` (or the config's, when that is
// shorter).
std::unique_ptr<StatusSource> postgres_status_source(ConsumerConfig config,
                                                     std::chrono::milliseconds statement_timeout);

}  // namespace hc::serve
