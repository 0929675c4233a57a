#include "fetch_nudger.h"

#include <spdlog/spdlog.h>

#include "hc/common/kafka_handles.h"

namespace hc::consumer {
namespace {

// Long enough for a leader across a slow link; stop() waits for at most this.
constexpr int kAnswerTimeoutMs = 1000;

}  // namespace

FetchNudger::FetchNudger(rd_kafka_t* client, std::size_t every_bytes)
    : client_(client), every_bytes_(every_bytes), thread_([this] { loop(); }) {}

FetchNudger::~FetchNudger() { stop(); }

void FetchNudger::consumed(std::size_t bytes) {
  if (every_bytes_ == 0) return;
  since_nudge_ += bytes;
  if (since_nudge_ < every_bytes_) return;
  since_nudge_ = 0;
  MutexLock lock(mutex_);
  pending_ = true;
  changed_.notify_one();
}

void FetchNudger::stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    changed_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

std::size_t FetchNudger::nudges() const {
  MutexLock lock(mutex_);
  return nudges_;
}

void FetchNudger::loop() {
  MutexLock lock(mutex_);
  while (true) {
    while (!stopping_ && !pending_) changed_.wait(mutex_);
    if (stopping_) return;
    pending_ = false;
    ++nudges_;
    lock.unlock();
    nudge_leaders();
    lock.lock();
  }
}

void FetchNudger::nudge_leaders() {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(client_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  KafkaPartitionList partitions(assignment);
  if (partitions->cnt == 0) return;
  // offsets_for_times takes a timestamp in each offset; RD_KAFKA_OFFSET_END asks for the end.
  for (int i = 0; i < partitions->cnt; ++i) partitions->elems[i].offset = RD_KAFKA_OFFSET_END;
  const rd_kafka_resp_err_t error =
      rd_kafka_offsets_for_times(client_, partitions.get(), kAnswerTimeoutMs);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("consumer: fetch nudge (end offsets of {} partitions): {}", partitions->cnt,
                  rd_kafka_err2str(error));
  }
}

}  // namespace hc::consumer
