#include <algorithm>

#include "hc/serve/status_source.h"
#include "history_request.h"

namespace hc::serve {
namespace {

constexpr std::size_t kIdleConnectionsPerDatabase = 4;

class PostgresStatusSource final : public StatusSource {
 public:
  explicit PostgresStatusSource(ConsumerConfig config) : config_(std::move(config)) {}

  Overview overview(WallTime now, const OverviewPage& page) override {
    return read_status_overview(config_, now, page, &pool_);
  }
  std::optional<SiteHistory> history(const HistoryQuery& query) override {
    return read_site_history(config_, site_digest(query.url), query.table, query.since, query.step,
                             &pool_);
  }
  std::optional<SiteDetail> site(const std::string& site, const SiteWindow& window,
                                 WallTime now) override {
    return read_site_detail(config_, site_digest(site), window, now, &pool_);
  }
  MonthReport report(const ReportMonth& month, WallTime now) override {
    return read_month_report(config_, month, now, &pool_);
  }

 private:
  ConsumerConfig config_;  // never changed after construction: safe from every thread
  // Kept between requests; as many idle connections per database as the server has workers
  // is enough for every request to find one.
  ConnectionPool pool_{kIdleConnectionsPerDatabase};
};

}  // namespace

std::unique_ptr<StatusSource> postgres_status_source(ConsumerConfig config,
                                                     std::chrono::milliseconds statement_timeout) {
  // A page is not worth a long query: the shorter of the configured bound and the server's.
  if (config.session.statement_timeout.count() == 0 ||
      config.session.statement_timeout > statement_timeout) {
    config.session.statement_timeout = statement_timeout;
  }
  return std::make_unique<PostgresStatusSource>(std::move(config));
}

}  // namespace hc::serve
