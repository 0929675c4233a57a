// Where a producer's measurements and state changes go: Publisher and EventPublisher (Kafka)
// in production, fakes in unit tests (producer_parts.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "hc/common/state_event.h"

namespace hc::producer {

// Where measurements go (Publisher in production). publish() from the check loops, several
// at once; the rest from the coordinator.
class MeasurementSink {
 public:
  virtual ~MeasurementSink() = default;
  // Returns false if the message was dropped.
  virtual bool publish(const std::string& topic, std::string_view key, std::string_view value) = 0;
  // Serves delivery reports, waiting up to `timeout` for the first one.
  virtual void poll(std::chrono::milliseconds timeout) = 0;
  // Waits up to `timeout` for delivery; returns how many are still undelivered.
  virtual std::size_t flush(std::chrono::milliseconds timeout) = 0;
  virtual std::size_t queue_depth() const = 0;
};

// Where state changes go (EventPublisher in production). Threads as MeasurementSink.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Returns false if the event was dropped.
  virtual bool publish(const std::string& topic, const StateEvent& event) = 0;
  virtual void poll(std::chrono::milliseconds timeout) = 0;
  // Waits up to `timeout` for delivery; returns how many are still undelivered.
  virtual std::size_t flush(std::chrono::milliseconds timeout) = 0;
};

}  // namespace hc::producer
