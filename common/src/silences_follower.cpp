#include "hc/common/silences_follower.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "hc/common/kafka_handles.h"
#include "hc/common/logging.h"
#include "hc/common/silence_json.h"
#include "hc/common/site_set.h"

namespace hc {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{200};
constexpr std::chrono::milliseconds kMetadataTimeout{2000};
constexpr std::chrono::milliseconds kFirstLookInterval{1000};

// Partitions of `topic`; 0 when it does not exist or the cluster did not answer.
int partition_count(rd_kafka_t* consumer, const std::string& topic) {
  KafkaTopic handle(rd_kafka_topic_new(consumer, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t error = rd_kafka_metadata(consumer, 0, handle.get(), &raw,
                                                      static_cast<int>(kMetadataTimeout.count()));
  KafkaMetadata metadata(raw);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR || metadata->topic_cnt != 1 ||
      metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return 0;
  }
  return metadata->topics[0].partition_cnt;
}

// The valid silences of `records`.
std::vector<RuntimeSilence> valid_silences(const SiteSet& records, const std::string& topic) {
  std::vector<RuntimeSilence> silences;
  for (const auto& [id, record] : records.sites()) {
    SilenceParse decoded = decode_silence_record(id, record.value);
    if (decoded.silence) {
      silences.push_back(std::move(*decoded.silence));
      continue;
    }
    log_event(spdlog::level::warn, "not a valid silence; ignored",
              {{"topic", topic},
               {"partition", std::to_string(record.partition)},
               {"offset", std::to_string(record.offset)},
               {"field", decoded.errors.front().field},
               {"reason", decoded.errors.front().message}});
  }
  return silences;
}

}  // namespace

SilencesFollower::SilencesFollower(const NotifyConfig& config, SilenceBook& book,
                                   std::string client_id)
    : config_(config), book_(book), client_id_(std::move(client_id)), thread_([this] { run(); }) {}

SilencesFollower::~SilencesFollower() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool SilencesFollower::wait_caught_up(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mutex_);
  while (!caught_up_ && changed_.wait_until(mutex_, deadline)) {
  }
  return caught_up_;
}

void SilencesFollower::run() {
  const std::string& topic = config_.silences_topic;
  KafkaHandle consumer;
  try {
    consumer =
        make_kafka_client(RD_KAFKA_CONSUMER,
                          make_kafka_conf(config_.kafka, {{"client.id", client_id_},
                                                          {"group.id", client_id_},
                                                          {"enable.auto.commit", "false"},
                                                          {"enable.auto.offset.store", "false"},
                                                          {"enable.partition.eof", "true"},
                                                          {"allow.auto.create.topics", "false"}}),
                          "the silences follower");
  } catch (const std::exception& error) {
    log_event(spdlog::level::err, "runtime silences not followed",
              {{"topic", topic}, {"error", error.what()}});
    MutexLock lock(mutex_);
    caught_up_ = true;  // nothing will come: do not hold up the events
    changed_.notify_all();
    return;
  }
  SiteSet records;  // id -> latest value
  int assigned = 0;
  std::set<std::int32_t> at_end;
  auto next_look = std::chrono::steady_clock::now();
  while (true) {
    {
      MutexLock lock(mutex_);
      if (stopping_) break;
    }
    if (std::chrono::steady_clock::now() >= next_look) {
      const int partitions = partition_count(consumer.get(), topic);
      next_look = std::chrono::steady_clock::now() +
                  (partitions == 0 ? kFirstLookInterval : kMetadataInterval);
      if (partitions > assigned) {
        // Everything from the beginning again: records already applied change nothing.
        KafkaPartitionList list(rd_kafka_topic_partition_list_new(partitions));
        for (std::int32_t p = 0; p < partitions; ++p) {
          rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset =
              RD_KAFKA_OFFSET_BEGINNING;
        }
        rd_kafka_assign(consumer.get(), list.get());
        assigned = partitions;
        at_end.clear();
        log_event(spdlog::level::info, "following runtime silences",
                  {{"topic", topic}, {"partitions", std::to_string(partitions)}});
      } else if (partitions == 0 && assigned == 0) {
        MutexLock lock(mutex_);
        if (!caught_up_) {
          caught_up_ = true;  // no topic yet: no silences to wait for
          changed_.notify_all();
        }
      }
    }
    if (assigned == 0) {
      const auto next_poll = std::chrono::steady_clock::now() + kPollTimeout;
      MutexLock lock(mutex_);
      while (!stopping_ && changed_.wait_until(mutex_, next_poll)) {
      }
      continue;
    }
    KafkaMessage message(
        rd_kafka_consumer_poll(consumer.get(), static_cast<int>(kPollTimeout.count())));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(message->partition);
      if (static_cast<int>(at_end.size()) >= assigned) {
        MutexLock lock(mutex_);
        if (!caught_up_) {
          caught_up_ = true;
          changed_.notify_all();
        }
      }
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log_event(spdlog::level::warn, "silences topic: consumer error",
                {{"topic", topic}, {"error", rd_kafka_message_errstr(message.get())}});
      continue;
    }
    if (message->key == nullptr) continue;
    const std::string id(static_cast<const char*>(message->key), message->key_len);
    std::optional<std::string> value;
    if (message->payload != nullptr) {
      value.emplace(static_cast<const char*>(message->payload), message->len);
    }
    const SiteChange change = records.apply(message->partition, message->offset, id, value);
    if (change == SiteChange::kUnchanged) continue;
    book_.replace_runtime(valid_silences(records, topic));
    log_event(spdlog::level::info,
              change == SiteChange::kRemoved ? "runtime silence ended" : "runtime silence set",
              {{"topic", topic}, {"silence", id}, {"silences", std::to_string(records.size())}});
  }
  rd_kafka_consumer_close(consumer.get());
}

}  // namespace hc
