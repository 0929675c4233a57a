#include "state_restore.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <variant>

#include "hc/common/kafka_handles.h"

namespace hc::producer {
namespace {

using Clock = std::chrono::steady_clock;

// Each blocking call waits at most this long, so a stop request is seen in time.
constexpr std::int64_t kStepMs = 1000;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, kStepMs));
}

// Repeats `call` (a librdkafka request bounded by remaining_ms) while it fails, until the
// deadline or a stop request: a cluster still starting, or away for a moment, is waited for.
// Between attempts it serves `consumer`'s error callback.
template <typename Call>
rd_kafka_resp_err_t retry_until(rd_kafka_t* consumer, Clock::time_point deadline,
                                const std::function<bool()>& stop_requested, Call call) {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  do {
    error = call();
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_poll(consumer, 0);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR && Clock::now() < deadline && !stop_requested()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a refusal returns at once
    }
  } while (error != RD_KAFKA_RESP_ERR_NO_ERROR && Clock::now() < deadline && !stop_requested());
  return error;
}

// Partition count of `topic`; 0 when it does not exist or the cluster did not answer.
int partition_count(rd_kafka_t* consumer, const std::string& topic, Clock::time_point deadline,
                    const std::function<bool()>& stop_requested) {
  KafkaTopic handle(rd_kafka_topic_new(consumer, topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t error = retry_until(consumer, deadline, stop_requested, [&] {
    return rd_kafka_metadata(consumer, 0, handle.get(), &raw, remaining_ms(deadline));
  });
  KafkaMetadata metadata(raw);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("restoring states: no metadata for events topic {}: {}", topic,
                 rd_kafka_err2str(error));
    return -1;
  }
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::info("restoring states: events topic {} does not exist yet: nothing to restore", topic);
    return 0;
  }
  return metadata->topics[0].partition_cnt;
}

struct PartitionEnd {
  std::int64_t high = 0;  // first offset not to read
  bool done = false;
  std::uint32_t topic = 0;  // the topic's index in the topics read
};

// The latest event of a site so far: what is restored of it (RestoredState) and where it was
// read, which decides whether a later record replaces it. 24 bytes, one per owned site; kUnknown
// (which no valid event announces) while the site has none.
struct Candidate {
  WallTime at;
  std::int32_t partition = 0;
  std::uint32_t topic = 0;  // its index in the topics read
  SiteStatus status = SiteStatus::kUnknown;
};

}  // namespace

UrlSet::UrlSet(std::vector<std::string_view> urls) : urls_(std::move(urls)) {
  std::sort(urls_.begin(), urls_.end());
  urls_.erase(std::unique(urls_.begin(), urls_.end()), urls_.end());
  urls_.shrink_to_fit();
}

std::optional<std::size_t> UrlSet::position(std::string_view url) const {
  const auto found = std::lower_bound(urls_.begin(), urls_.end(), url);
  if (found == urls_.end() || *found != url) return std::nullopt;
  return static_cast<std::size_t>(found - urls_.begin());
}

RestoreResult restore_states(const KafkaSettings& kafka, const std::vector<std::string>& topics,
                             const UrlSet& owned_urls, std::chrono::milliseconds timeout,
                             const std::function<bool()>& stop_requested,
                             KafkaSettingsProblem* settings_problem) {
  RestoreResult result;
  const Clock::time_point deadline = Clock::now() + timeout;
  KafkaConf conf = make_kafka_conf(kafka, {{"client.id", "hc-events-restore"},
                                           {"group.id", "hc-events-restore"},
                                           {"enable.auto.commit", "false"},
                                           {"enable.auto.offset.store", "false"},
                                           {"enable.partition.eof", "true"},
                                           {"allow.auto.create.topics", "false"},
                                           // The records are read once, as fast as they are
                                           // decoded: a prefetch of librdkafka's default 64 MB
                                           // would be a peak of the producer's start for nothing.
                                           {"queued.max.messages.kbytes", "2048"}});
  if (settings_problem != nullptr) {
    rd_kafka_conf_set_opaque(conf.get(), settings_problem);
    rd_kafka_conf_set_error_cb(
        conf.get(), [](rd_kafka_t*, int error, const char* reason, void* problem) {
          const std::string line = static_cast<KafkaSettingsProblem*>(problem)->note(
              static_cast<rd_kafka_resp_err_t>(error), reason != nullptr ? reason : "");
          if (!line.empty()) spdlog::error("restoring states: {}", line);
        });
  }
  KafkaHandle consumer =
      make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf), "the events restore consumer");

  bool reachable = true;
  std::map<std::pair<std::string, std::int32_t>, PartitionEnd> ends;
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(0));
  for (std::size_t topic_index = 0; topic_index < topics.size(); ++topic_index) {
    const std::string& topic = topics[topic_index];
    if (stop_requested()) break;
    const int partitions = partition_count(consumer.get(), topic, deadline, stop_requested);
    if (partitions < 0) reachable = false;
    for (std::int32_t partition = 0; partition < partitions; ++partition) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      const rd_kafka_resp_err_t error = retry_until(consumer.get(), deadline, stop_requested, [&] {
        return rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low,
                                                &high, remaining_ms(deadline));
      });
      if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("restoring states: no watermarks for {} [{}]: {}", topic, partition,
                     rd_kafka_err2str(error));
        reachable = false;
        continue;
      }
      if (high <= low) continue;
      ends[{topic, partition}] = PartitionEnd{high, false, static_cast<std::uint32_t>(topic_index)};
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = low;
    }
  }
  result.partitions = ends.size();
  std::size_t open = ends.size();
  if (open > 0) rd_kafka_assign(consumer.get(), assignment.get());

  std::vector<Candidate> latest(owned_urls.size());  // by position in owned_urls
  StateEventDecoder decoder;
  while (open > 0 && Clock::now() < deadline && !stop_requested()) {
    KafkaMessage message(
        rd_kafka_consumer_poll(consumer.get(), std::min(100, remaining_ms(deadline))));
    if (!message) continue;
    const std::string topic = rd_kafka_topic_name(message->rkt);
    auto end = ends.find({topic, message->partition});
    if (end == ends.end() || end->second.done) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      end->second.done = true;
      --open;
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("restoring states: {} [{}]: {}", topic, message->partition,
                   rd_kafka_message_errstr(message.get()));
      continue;
    }
    ++result.records;
    if (message->offset + 1 >= end->second.high) {
      end->second.done = true;
      --open;
    }
    const std::string_view key(static_cast<const char*>(message->key), message->key_len);
    if (message->payload == nullptr) {
      // A tombstone: the site's state was deleted on purpose; what came before it is void.
      if (const auto position = owned_urls.position(key)) {
        Candidate& candidate = latest[*position];
        if (candidate.topic == end->second.topic && candidate.partition == message->partition) {
          candidate.status = SiteStatus::kUnknown;
        }
      }
      continue;
    }
    auto decoded =
        decoder.decode(std::string_view(static_cast<const char*>(message->payload), message->len));
    if (auto* poison = std::get_if<Poison>(&decoded)) {
      if (++result.skipped <= 10) {
        spdlog::warn("restoring states: skipped {} [{}] offset {}: {}: {}", topic,
                     message->partition, message->offset, poison->reason, poison->detail);
      }
      continue;
    }
    const StateEvent& event = std::get<StateEvent>(decoded);
    if (key != event.url) {
      if (++result.skipped <= 10) {
        spdlog::warn("restoring states: skipped {} [{}] offset {}: key is not the event's url",
                     topic, message->partition, message->offset);
      }
      continue;
    }
    const auto position = owned_urls.position(event.url);
    if (!position) continue;
    Candidate& candidate = latest[*position];
    const bool same_partition =
        candidate.topic == end->second.topic && candidate.partition == message->partition;
    if (candidate.status == SiteStatus::kUnknown || same_partition || event.at > candidate.at) {
      candidate = Candidate{event.at, message->partition, end->second.topic, event.to};
    }
  }
  rd_kafka_consumer_close(consumer.get());
  result.complete = reachable && open == 0 && !stop_requested();
  result.latest.resize(latest.size());
  for (std::size_t position = 0; position < latest.size(); ++position) {
    const Candidate& candidate = latest[position];
    if (candidate.status == SiteStatus::kUnknown) continue;
    result.latest[position] = RestoredState{candidate.status, candidate.at};
  }
  return result;
}

}  // namespace hc::producer
