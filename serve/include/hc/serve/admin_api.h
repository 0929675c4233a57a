// The admin API of `hc serve`, beside the read-only pages (status_server.h):
//
//   GET                /api/v1/sites, /api/v1/sites/{url-encoded URL}     (sites_api.h)
//   PUT, DELETE        /api/v1/sites/{url-encoded URL}
//   GET, POST          /api/v1/silences                                    (silences_api.h)
//   DELETE             /api/v1/silences/{id}
//   GET                /api/v1/fleet                                       (fleet_api.h)
//
// The sites and the fleet are those of healthcheck-producer-config (its sites_topic, Kafka
// settings and producer_group); the silences go to healthcheck-notify-config's
// silences_topic. A part whose section or topic the config lacks answers 501 saying so.
// Answers are JSON; errors are {"error", "errors": [{"field", "message"}]}.
//
// Writes need `Authorization: Bearer <healthcheck-serve-config.api_token>` (401 otherwise;
// 403 for every write while no token is configured); reads need none. The routes run on
// the status server's workers with its limits and headers; bodies are bounded per route
// (413 beyond). Every request reads its topic through a Kafka client of its own, bounded by
// kKafkaTimeout (503 beyond), so the API suits people and scripts, not high rates.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "hc/common/clock.h"
#include "hc/common/config.h"
#include "hc/common/http_routes.h"

namespace hc::serve {

class RecordStore;
class WriteGuard;

class AdminApi {
 public:
  static constexpr std::chrono::milliseconds kKafkaTimeout{5000};

  // `config` and `clock` must outlive the api, which must outlive the server it is added to.
  AdminApi(const Config& config, const Clock& clock);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  // Adds the routes above (a StatusServer RouteAdder).
  void add_routes(http::Routes& routes) const;
  // One line for the log: which parts answer and whether writes are on (never the token).
  std::string summary() const;

 private:
  const Config& config_;
  const Clock& clock_;
  std::unique_ptr<WriteGuard> guard_;
  std::unique_ptr<RecordStore> sites_;     // null without sites_topic
  std::unique_ptr<RecordStore> silences_;  // null without a notify section
};

}  // namespace hc::serve
