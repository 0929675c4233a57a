// Where records that cannot be stored go: the seam between the consumer loop (and the
// batch writer, for rows the database refused) and the dead-letter topic. The Kafka
// implementation is DeadLetterProducer (dead_letter.h); tests substitute fakes.
//
// Used from the consumer loop thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hc::consumer {

// One record for a dead-letter topic: the original key and value, why it could not be
// stored, and where it came from (the original stays in its source topic).
struct DeadLetter {
  std::string topic;   // the dead-letter topic
  std::string key;     // the source record's key
  std::string value;   // the source record's value; a sink may cut it to what fits
  std::string reason;  // short stable kind: hc-dlq-reason header and metric label
  std::string detail;  // for people: hc-dlq-detail header
  std::string source_topic;
  std::int32_t source_partition = 0;
  std::int64_t source_offset = 0;
  // Further headers, e.g. {"hc-dlq-sqlstate", "22021"} for a row the database refused.
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  // Queues the letter; never blocks and never throws for a letter of any size.
  virtual void send(DeadLetter letter) = 0;
  // Waits up to `timeout` until every letter sent so far is durable. True when none is
  // pending. The source offsets of the letters may be committed only after this is true.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
  virtual std::size_t pending() const = 0;
  // Serves what arrived since the last call (delivery reports, client errors) without
  // blocking; the consumer loop calls it once per iteration.
  virtual void poll() {}
  // Checks at start that each dead-letter topic can be written, reporting those that cannot
  // (see DeadLetterProducer::check_topics).
  virtual void check_topics(const std::vector<std::string>& /*topics*/,
                            std::chrono::milliseconds /*timeout*/) {}
  // Forgets what is still pending, for a bounded shutdown (their source offsets were not
  // committed, so the records are read and sent again after a restart).
  virtual void abandon() {}
};

}  // namespace hc::consumer
