// A compacted topic as the admin API uses it: read whole at each request, written record by
// record with every write acknowledged before the answer. The Kafka implementation is
// compacted_topic.h; tests pass a fake.
//
// Thread: any; calls may run at once on several of the server's workers.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hc/common/compacted_topic.h"
#include "hc/common/kafka_settings.h"

namespace hc::serve {

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual const std::string& topic() const = 0;
  // The latest value of every key (complete = false when the cluster did not answer in time).
  virtual CompactedTopicRead read() = 0;
  // One line per record not acknowledged; empty when all were written.
  virtual std::vector<std::string> publish(const std::vector<KeyedRecord>& records) = 0;
};

// `topic` on the cluster of `kafka`, each call bounded by `timeout`; `client_id` names the
// Kafka clients it makes.
std::unique_ptr<RecordStore> kafka_record_store(KafkaSettings kafka, std::string topic,
                                                std::string client_id,
                                                std::chrono::milliseconds timeout);

}  // namespace hc::serve
