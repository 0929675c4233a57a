#include "hc/common/compacted_topic.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>

#include "hc/common/kafka_handles.h"

namespace hc {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1000));
}

// Repeats a request bounded by remaining_ms while it fails, until the deadline: a cluster
// still starting is waited for.
template <typename Call>
rd_kafka_resp_err_t retry_until(Clock::time_point deadline, Call call) {
  rd_kafka_resp_err_t error = call();
  while (error != RD_KAFKA_RESP_ERR_NO_ERROR && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    error = call();
  }
  return error;
}

// Partition count; 0 when the topic does not exist, -1 when the cluster did not answer.
int partition_count(rd_kafka_t* consumer, const std::string& topic, Clock::time_point deadline,
                    std::string& problem) {
  KafkaTopic handle(rd_kafka_topic_new(consumer, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t error = retry_until(deadline, [&] {
    return rd_kafka_metadata(consumer, 0, handle.get(), &raw, remaining_ms(deadline));
  });
  KafkaMetadata metadata(raw);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    problem = fmt::format("no metadata for topic {}: {}", topic, rd_kafka_err2str(error));
    return -1;
  }
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  return metadata->topics[0].partition_cnt;
}

}  // namespace

CompactedTopicRead read_compacted_topic(const KafkaSettings& kafka, const std::string& topic,
                                        std::chrono::milliseconds timeout,
                                        const std::string& client_id) {
  CompactedTopicRead result;
  const Clock::time_point deadline = Clock::now() + timeout;
  KafkaHandle consumer =
      make_kafka_client(RD_KAFKA_CONSUMER,
                        make_kafka_conf(kafka, {{"client.id", client_id},
                                                {"group.id", client_id},
                                                {"enable.auto.commit", "false"},
                                                {"enable.auto.offset.store", "false"},
                                                {"allow.auto.create.topics", "false"}}),
                        "the reader of " + topic);
  const int partitions = partition_count(consumer.get(), topic, deadline, result.problem);
  if (partitions < 0) return result;
  std::map<std::int32_t, std::int64_t> ends;  // partition -> first offset not to read
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(partitions));
  for (std::int32_t partition = 0; partition < partitions; ++partition) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const rd_kafka_resp_err_t error = retry_until(deadline, [&] {
      return rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low, &high,
                                              remaining_ms(deadline));
    });
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      result.problem =
          fmt::format("no offsets for {} [{}]: {}", topic, partition, rd_kafka_err2str(error));
      return result;
    }
    if (high <= low) continue;
    ends[partition] = high;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = low;
  }
  if (!ends.empty()) rd_kafka_assign(consumer.get(), assignment.get());
  while (!ends.empty() && Clock::now() < deadline) {
    KafkaMessage message(
        rd_kafka_consumer_poll(consumer.get(), std::min(100, remaining_ms(deadline))));
    if (!message || message->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    auto end = ends.find(message->partition);
    if (end == ends.end()) continue;
    const std::string url(static_cast<const char*>(message->key), message->key_len);
    std::optional<std::string> value;
    if (message->payload != nullptr) {
      value.emplace(static_cast<const char*>(message->payload), message->len);
    }
    if (message->key != nullptr)
      result.latest.apply(message->partition, message->offset, url, value);
    if (message->offset + 1 >= end->second) ends.erase(end);
  }
  rd_kafka_consumer_close(consumer.get());
  result.complete = ends.empty();
  if (!result.complete) {
    result.problem = fmt::format("{} partition(s) of {} not read to their end in {} ms",
                                 ends.size(), topic, timeout.count());
  }
  return result;
}

std::vector<std::string> publish_keyed_records(const KafkaSettings& kafka, const std::string& topic,
                                               const std::vector<KeyedRecord>& records,
                                               std::chrono::milliseconds timeout,
                                               const std::string& client_id) {
  struct Outcome {
    std::vector<std::string> failures;
  } outcome;
  KafkaConf conf =
      make_kafka_conf(kafka, {{"client.id", client_id},
                              {"enable.idempotence", "true"},
                              {"acks", "all"},
                              {"partitioner", "murmur2_random"},
                              {"message.timeout.ms", std::to_string(timeout.count())}});
  rd_kafka_conf_set_dr_msg_cb(
      conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
        if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
        auto* failures = static_cast<Outcome*>(opaque);
        failures->failures.push_back(fmt::format(
            "{}: {}", std::string(static_cast<const char*>(message->key), message->key_len),
            rd_kafka_err2str(message->err)));
      });
  rd_kafka_conf_set_opaque(conf.get(), &outcome);
  KafkaHandle producer =
      make_kafka_client(RD_KAFKA_PRODUCER, std::move(conf), "the writer of " + topic);
  for (const auto& [url, value] : records) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast): librdkafka copies (F_COPY).
    void* payload = value ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t payload_bytes = value ? value->size() : 0;
    const rd_kafka_resp_err_t error = rd_kafka_producev(
        producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(url.data(), url.size()),
        RD_KAFKA_V_VALUE(payload, payload_bytes), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      outcome.failures.push_back(fmt::format("{}: {}", url, rd_kafka_err2str(error)));
    }
  }
  const rd_kafka_resp_err_t flushed =
      rd_kafka_flush(producer.get(), static_cast<int>(timeout.count()) + 1000);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    outcome.failures.push_back(fmt::format("{} record(s) not acknowledged: {}",
                                           rd_kafka_outq_len(producer.get()),
                                           rd_kafka_err2str(flushed)));
  }
  return outcome.failures;
}

}  // namespace hc
