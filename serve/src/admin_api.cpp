#include "hc/serve/admin_api.h"

#include <fmt/format.h>

#include "api_auth.h"
#include "fleet_api.h"
#include "hc/common/group_members.h"
#include "record_store.h"
#include "silences_api.h"
#include "sites_api.h"

namespace hc::serve {

AdminApi::AdminApi(const Config& config, const Clock& clock)
    : config_(config),
      clock_(clock),
      guard_(std::make_unique<WriteGuard>(config.serve ? config.serve->api_token : "")) {
  if (config.producer && !config.producer->sites_topic.empty()) {
    sites_ = kafka_record_store(config.producer->kafka, config.producer->sites_topic,
                                "hc-serve-sites", kKafkaTimeout);
  }
  if (config.notify) {
    silences_ = kafka_record_store(config.notify->kafka, config.notify->silences_topic,
                                   "hc-serve-silences", kKafkaTimeout);
  }
}

AdminApi::~AdminApi() = default;

void AdminApi::add_routes(http::Routes& routes) const {
  const ProducerConfig* producer = config_.producer ? &*config_.producer : nullptr;
  add_sites_api(routes, producer, sites_.get(), *guard_);
  add_silences_api(routes, silences_.get(), *guard_, clock_, random_silence_id);
  GroupDescriber describe;
  if (producer != nullptr) {
    describe = [producer] {
      return describe_group(producer->kafka, producer->producer_group, kKafkaTimeout);
    };
  }
  add_fleet_api(routes, producer, sites_.get(), std::move(describe));
}

std::string AdminApi::summary() const {
  const bool writes = config_.serve && !config_.serve->api_token.empty();
  return fmt::format(
      "admin API: sites {}, silences {}; writes {}",
      sites_ ? "on " + sites_->topic() : std::string("off (no sites_topic)"),
      silences_ ? "on " + silences_->topic() : std::string("off (no notify section)"),
      writes ? "need the bearer token" : "refused (no api_token)");
}

}  // namespace hc::serve
