#include "record_store.h"

#include <utility>

namespace hc::serve {
namespace {

class KafkaRecordStore final : public RecordStore {
 public:
  KafkaRecordStore(KafkaSettings kafka, std::string topic, std::string client_id,
                   std::chrono::milliseconds timeout)
      : kafka_(std::move(kafka)),
        topic_(std::move(topic)),
        client_id_(std::move(client_id)),
        timeout_(timeout) {}
  const std::string& topic() const override { return topic_; }
  CompactedTopicRead read() override {
    return read_compacted_topic(kafka_, topic_, timeout_, client_id_ + "-reader");
  }
  std::vector<std::string> publish(const std::vector<KeyedRecord>& records) override {
    return publish_keyed_records(kafka_, topic_, records, timeout_, client_id_ + "-writer");
  }

 private:
  // Set once in the constructor, then only read (from several workers at once).
  KafkaSettings kafka_;
  std::string topic_;
  std::string client_id_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<RecordStore> kafka_record_store(KafkaSettings kafka, std::string topic,
                                                std::string client_id,
                                                std::chrono::milliseconds timeout) {
  return std::make_unique<KafkaRecordStore>(std::move(kafka), std::move(topic),
                                            std::move(client_id), timeout);
}

}  // namespace hc::serve
