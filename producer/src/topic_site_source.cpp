#include "topic_site_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hc::producer {
namespace {

// Records handled per poll() at most, so a large topic read at assignment does not hold the
// coordinator (delivery reports, stop requests) for long.
constexpr int kMaxRecordsPerPoll = 5000;

std::string partition_list_text(const rd_kafka_topic_partition_list_t* partitions) {
  std::string text;
  for (int i = 0; i < partitions->cnt; ++i) {
    text += (i > 0 ? "," : "") + std::to_string(partitions->elems[i].partition);
  }
  return text;
}

}  // namespace

TopicSiteSource::TopicSiteSource(const ProducerConfig& producer)
    : topic_(producer.sites_topic), group_(producer.producer_group), sites_(producer) {
  const auto session_ms = producer.session_timeout.count();
  // Frequent heartbeats: a member learns of a rebalance (a dead member's partitions to take
  // over) at its next heartbeat, so failover takes session timeout + about this.
  const auto heartbeat_ms = std::clamp<std::int64_t>(session_ms / 10, 100, 1000);
  KafkaConf conf =
      make_kafka_conf(producer.kafka, {{"client.id", "hc-producer-fleet"},
                                       {"group.id", producer.producer_group},
                                       {"partition.assignment.strategy", "cooperative-sticky"},
                                       {"session.timeout.ms", std::to_string(session_ms)},
                                       {"heartbeat.interval.ms", std::to_string(heartbeat_ms)},
                                       {"enable.auto.commit", "false"},
                                       {"enable.auto.offset.store", "false"},
                                       {"auto.offset.reset", "earliest"}});
  rd_kafka_conf_set_rebalance_cb(conf.get(), &TopicSiteSource::on_rebalance);
  rd_kafka_conf_set_opaque(conf.get(), this);
  consumer_ = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf), "the sites topic consumer");
  rd_kafka_poll_set_consumer(consumer_.get());
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), topic_.c_str(), RD_KAFKA_PARTITION_UA);
  if (const rd_kafka_resp_err_t error = rd_kafka_subscribe(consumer_.get(), topics.get());
      error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("cannot subscribe to the sites topic " + topic_ + ": " +
                             rd_kafka_err2str(error));
  }
  spdlog::info("fleet mode: joining producer group {} on sites topic {}", group_, topic_);
}

TopicSiteSource::~TopicSiteSource() = default;

void TopicSiteSource::poll(SiteListener& listener, std::chrono::milliseconds wait) {
  if (closed_) return;
  listener_ = &listener;
  bool changed = false;
  int timeout_ms = static_cast<int>(wait.count());
  for (int records = 0; records < kMaxRecordsPerPoll; ++records) {
    KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), timeout_ms));
    timeout_ms = 0;
    if (!message) break;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("sites topic {}: {}", topic_, rd_kafka_message_errstr(message.get()));
      }
      continue;
    }
    if (message->key == nullptr) continue;
    const std::string url(static_cast<const char*>(message->key), message->key_len);
    std::optional<std::string> value;
    if (message->payload != nullptr) {
      value.emplace(static_cast<const char*>(message->payload), message->len);
    }
    changed = sites_.apply(message->partition, message->offset, url, value) || changed;
  }
  if (changed) listener.use_sites(sites_.sites(), false);
  listener_ = nullptr;
}

void TopicSiteSource::reload(SiteListener& /*listener*/) {
  spdlog::info("SIGHUP: fleet mode takes its sites from {}: nothing to reload", topic_);
}

void TopicSiteSource::close(SiteListener& listener) {
  if (closed_) return;
  listener_ = &listener;
  spdlog::info("leaving producer group {}", group_);
  rd_kafka_consumer_close(consumer_.get());
  closed_ = true;
  listener_ = nullptr;
}

void TopicSiteSource::take(bool cooperative, rd_kafka_topic_partition_list_t* partitions) {
  if (cooperative) {
    KafkaError error(rd_kafka_incremental_assign(consumer_.get(), partitions));
    if (error)
      spdlog::error("fleet: cannot take partitions: {}", rd_kafka_error_string(error.get()));
  } else if (const rd_kafka_resp_err_t error = rd_kafka_assign(consumer_.get(), partitions)) {
    spdlog::error("fleet: cannot take partitions: {}", rd_kafka_err2str(error));
  }
}

void TopicSiteSource::release(bool cooperative, rd_kafka_topic_partition_list_t* partitions) {
  if (cooperative) {
    KafkaError error(rd_kafka_incremental_unassign(consumer_.get(), partitions));
    if (error) {
      spdlog::error("fleet: cannot release partitions: {}", rd_kafka_error_string(error.get()));
    }
  } else if (const rd_kafka_resp_err_t error = rd_kafka_assign(consumer_.get(), nullptr)) {
    spdlog::error("fleet: cannot release partitions: {}", rd_kafka_err2str(error));
  }
}

void TopicSiteSource::on_rebalance(rd_kafka_t* /*consumer*/, rd_kafka_resp_err_t error,
                                   rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<TopicSiteSource*>(opaque)->rebalance(error, partitions);
}

void TopicSiteSource::rebalance(rd_kafka_resp_err_t error,
                                rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative =
      std::strcmp(rd_kafka_rebalance_protocol(consumer_.get()), "COOPERATIVE") == 0;
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < partitions->cnt; ++i) {
      partitions->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
      sites_.assign(partitions->elems[i].partition);
    }
    if (partitions->cnt > 0) {
      spdlog::info("fleet: assigned partition(s) {} of {}", partition_list_text(partitions),
                   topic_);
    }
    take(cooperative, partitions);
    return;
  }
  // A revoke, or partitions lost (session expired): stop their sites before acknowledging.
  bool changed = false;
  for (int i = 0; i < partitions->cnt; ++i) {
    changed = sites_.revoke(partitions->elems[i].partition) || changed;
  }
  spdlog::info("fleet: {} partition(s) {} of {}; stopping their sites",
               rd_kafka_assignment_lost(consumer_.get()) ? "lost" : "revoked",
               partition_list_text(partitions), topic_);
  if (changed && listener_ != nullptr) listener_->use_sites(sites_.sites(), true);
  release(cooperative, partitions);
}

}  // namespace hc::producer
