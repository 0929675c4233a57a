#include "event_consumer.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "hc/common/logging.h"

namespace hc::notify {
namespace {

constexpr int kCommittedTimeoutMs = 10000;

KafkaPartitionList to_list(const std::vector<CommitPoint>& points) {
  KafkaPartitionList list(
      rd_kafka_topic_partition_list_new(static_cast<int>(std::max<std::size_t>(points.size(), 1))));
  for (const CommitPoint& point : points) {
    rd_kafka_topic_partition_t* entry =
        rd_kafka_topic_partition_list_add(list.get(), point.id.topic.c_str(), point.id.partition);
    entry->offset = point.offset;
    // librdkafka frees the metadata with the list, with free().
    // NOLINTBEGIN(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    entry->metadata = std::malloc(point.metadata.size());
    // NOLINTEND(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    if (entry->metadata == nullptr) throw std::bad_alloc();
    std::memcpy(entry->metadata, point.metadata.data(), point.metadata.size());
    entry->metadata_size = point.metadata.size();
  }
  return list;
}

}  // namespace

EventConsumer::EventConsumer(const NotifyConfig& config, DeliveryTracker& tracker,
                             NotifyStats& stats)
    : tracker_(tracker), stats_(stats) {
  KafkaConf conf = make_kafka_conf(
      config.kafka, {{"group.id", config.notify_group},
                     {"enable.auto.commit", "false"},
                     {"enable.auto.offset.store", "false"},
                     {"auto.offset.reset", config.auto_offset_reset},
                     {"session.timeout.ms", std::to_string(config.session_timeout.count())},
                     // A third of the session, as Kafka advises (the default 3 s would exceed
                     // a short session).
                     {"heartbeat.interval.ms", std::to_string(std::max<std::int64_t>(
                                                   config.session_timeout.count() / 3, 100))},
                     {"enable.partition.eof", "false"}});
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &EventConsumer::on_rebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &EventConsumer::on_error);
  handle_ = make_kafka_client(RD_KAFKA_CONSUMER, std::move(conf), "the events consumer");
  rd_kafka_poll_set_consumer(handle_.get());
  KafkaPartitionList topics(
      rd_kafka_topic_partition_list_new(static_cast<int>(config.events_topics.size())));
  for (const std::string& topic : config.events_topics) {
    rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (rd_kafka_resp_err_t error = rd_kafka_subscribe(handle_.get(), topics.get())) {
    throw std::runtime_error(std::string("cannot subscribe to the events topics: ") +
                             rd_kafka_err2str(error));
  }
}

EventConsumer::~EventConsumer() { close(); }

void EventConsumer::close() {
  if (closed_) return;
  closed_ = true;
  rd_kafka_consumer_close(handle_.get());
}

KafkaMessage EventConsumer::poll(std::chrono::milliseconds timeout) {
  KafkaMessage message(rd_kafka_consumer_poll(handle_.get(), static_cast<int>(timeout.count())));
  if (message && message->err == RD_KAFKA_RESP_ERR_NO_ERROR) stats_.set_kafka_problem(std::nullopt);
  return message;
}

void EventConsumer::commit_async(const std::vector<CommitPoint>& points) {
  if (points.empty()) return;
  KafkaPartitionList list = to_list(points);
  if (rd_kafka_resp_err_t error = rd_kafka_commit(handle_.get(), list.get(), 1)) {
    log_event(spdlog::level::warn, "offset commit not sent; the next one covers it",
              {{"error", rd_kafka_err2str(error)}});
  }
}

bool EventConsumer::commit_sync(const std::vector<CommitPoint>& points) {
  if (points.empty()) return true;
  KafkaPartitionList list = to_list(points);
  rd_kafka_resp_err_t error = rd_kafka_commit(handle_.get(), list.get(), 0);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log_event(spdlog::level::warn,
              "offset commit failed; the events after the last commit "
              "will be delivered again (same event ids)",
              {{"error", rd_kafka_err2str(error)}});
    return false;
  }
  return true;
}

void EventConsumer::set_paused(bool paused) {
  if (paused == paused_) return;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(handle_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  KafkaPartitionList assignment(raw);
  if (paused) {
    rd_kafka_pause_partitions(handle_.get(), assignment.get());
  } else {
    rd_kafka_resume_partitions(handle_.get(), assignment.get());
  }
  paused_ = paused;
}

void EventConsumer::on_rebalance(rd_kafka_t* /*handle*/, rd_kafka_resp_err_t error,
                                 rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<EventConsumer*>(opaque);
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->assign(partitions);
  } else {
    self->revoke(partitions);
  }
}

void EventConsumer::assign(rd_kafka_topic_partition_list_t* partitions) {
  // The committed offsets and their metadata (the channels' marks) before anything is read.
  KafkaPartitionList committed(rd_kafka_topic_partition_list_copy(partitions));
  rd_kafka_resp_err_t error =
      rd_kafka_committed(handle_.get(), committed.get(), kCommittedTimeoutMs);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Without the marks every event from the committed offset goes to every channel again:
    // repeats, never losses.
    log_event(spdlog::level::warn, "cannot read the committed progress; starting without it",
              {{"error", rd_kafka_err2str(error)}});
  }
  for (int i = 0; i < committed->cnt; ++i) {
    const rd_kafka_topic_partition_t& entry = committed->elems[i];
    ChannelMarks marks;
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR && entry.metadata != nullptr) {
      marks = decode_marks(
          std::string_view(static_cast<const char*>(entry.metadata), entry.metadata_size));
    }
    tracker_.assign(PartitionId{entry.topic, entry.partition},
                    error == RD_KAFKA_RESP_ERR_NO_ERROR ? entry.offset : -1, std::move(marks));
  }
  paused_ = false;
  rd_kafka_assign(handle_.get(), partitions);
  log_event(spdlog::level::info, "partitions assigned",
            {{"partitions", std::to_string(partitions->cnt)}});
}

void EventConsumer::revoke(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<CommitPoint> points;
  for (const CommitPoint& point : tracker_.all_commits()) {
    for (int i = 0; i < partitions->cnt; ++i) {
      if (point.id.topic == partitions->elems[i].topic &&
          point.id.partition == partitions->elems[i].partition) {
        points.push_back(point);
      }
    }
  }
  commit_sync(points);
  for (int i = 0; i < partitions->cnt; ++i) {
    tracker_.revoke(PartitionId{partitions->elems[i].topic, partitions->elems[i].partition});
  }
  rd_kafka_assign(handle_.get(), nullptr);
  log_event(spdlog::level::info, "partitions revoked",
            {{"partitions", std::to_string(partitions->cnt)}});
}

void EventConsumer::on_error(rd_kafka_t* /*handle*/, int error, const char* reason, void* opaque) {
  auto* self = static_cast<EventConsumer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || code == RD_KAFKA_RESP_ERR__TRANSPORT) {
    self->stats_.set_kafka_problem(std::string(reason));
  }
  log_event(spdlog::level::warn, "kafka client error",
            {{"error", rd_kafka_err2name(code)}, {"detail", reason}});
}

}  // namespace hc::notify
