// Fleet mode: the sites are the records of sites_topic, shared by the producers of the
// consumer group producer_group (cooperative-sticky assignor: a rebalance moves only the
// partitions that must move, the others keep their sites and schedules). Each assigned
// partition is read from its beginning, then followed live; a revoked partition's sites are
// stopped (SiteListener::use_sites with wait_for_removed) before the revoke is acknowledged,
// so two producers never check one site at once. No offsets are committed: a partition is
// always read whole.
//
// Thread: the coordinator's (site_source.h); librdkafka calls the rebalance callback from
// inside poll() and close(), on that thread.
#pragma once

#include <memory>

#include "fleet_sites.h"
#include "hc/common/kafka_handles.h"
#include "site_source.h"

namespace hc::producer {

class TopicSiteSource : public SiteSource {
 public:
  // REQUIRES: producer.sites_topic is set. Subscribes at once (joins the group on the first
  // poll). Throws std::runtime_error when the consumer cannot be created.
  explicit TopicSiteSource(const ProducerConfig& producer);
  ~TopicSiteSource() override;
  TopicSiteSource(const TopicSiteSource&) = delete;
  TopicSiteSource& operator=(const TopicSiteSource&) = delete;

  std::vector<SiteConfig> initial_sites() override { return {}; }
  void poll(SiteListener& listener, std::chrono::milliseconds wait) override;
  void reload(SiteListener& listener) override;
  void close(SiteListener& listener) override;
  bool sites_move() const override { return true; }

 private:
  static void on_rebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t error,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void rebalance(rd_kafka_resp_err_t error, rd_kafka_topic_partition_list_t* partitions);
  // (Incremental) assign / unassign; a failure is logged.
  void take(bool cooperative, rd_kafka_topic_partition_list_t* partitions);
  void release(bool cooperative, rd_kafka_topic_partition_list_t* partitions);

  std::string topic_;
  std::string group_;
  FleetSites sites_;
  SiteListener* listener_ = nullptr;  // set during poll() and close() only
  bool closed_ = false;
  KafkaHandle consumer_;  // last: destroyed first
};

}  // namespace hc::producer
