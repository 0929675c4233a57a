// A librdkafka producer handle that is replaced when it hits a fatal error.
//
// An idempotent producer can hit one (e.g. a sequence gap after a broker lost data), and
// librdkafka cannot resume it: the only way on is a new handle. This is that one decision
// for both of our producers (measurements and state events); each owner decides what the
// lost messages mean for its counters and its log.
//
// Threads: produce() may be called from several threads at once; every other method from
// one thread (the owner's poll thread), on which librdkafka's callbacks run too, inside
// poll() and flush(). A replacement holds produce() off until the new handle is in place;
// poll() and flush() hold the handle shared too (uncontended but for replace(), which runs on
// their own thread), so every use of handle_ is one the thread-safety analysis can check.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "hc/common/kafka_handles.h"
#include "hc/common/mutex.h"

namespace hc::producer {

class RecreatableProducer {
 public:
  // `make` builds a handle whose conf carries the owner's callbacks and opaque; it is called
  // now and again for each replacement. Throws what `make` throws.
  explicit RecreatableProducer(std::function<KafkaHandle()> make);

  // rd_kafka_producev with a copy of key and value; `opaque` reaches the delivery report.
  rd_kafka_resp_err_t produce(const std::string& topic, std::string_view key,
                              std::string_view value, void* opaque = nullptr);
  void poll(std::chrono::milliseconds timeout);   // serves callbacks
  void flush(std::chrono::milliseconds timeout);  // serves callbacks until empty or timeout

  // Called by the owner's error callback on RD_KAFKA_RESP_ERR__FATAL; replace() follows on
  // the poll thread, outside librdkafka's callback.
  void note_fatal_error() { fatal_error_ = true; }
  bool has_fatal_error() const { return fatal_error_; }

  // What its owner counts and says when a fatal error replaces the handle.
  struct Losses {
    std::atomic<std::uint64_t>& delivery_failures;  // += each message lost
    std::atomic<std::uint64_t>& recreations;        // += 1
    std::function<std::size_t()> queue_depth;       // produced, neither delivered nor failed
    std::string_view producer_name;                 // "Kafka producer", in the log line
    std::string_view lost_what;                     // "queued messages were lost"
  };
  // poll(), then, after a fatal error, replace() with the messages lost counted as delivery
  // failures and an error logged: the one fatal-error path of every owner.
  void poll_and_recover(std::chrono::milliseconds timeout, const Losses& losses);
  // The owner's error callback in one line: true (and noted for poll_and_recover) when
  // `error` is RD_KAFKA_RESP_ERR__FATAL, which the callback then needs not handle itself.
  bool take_if_fatal(int error) {
    if (error != RD_KAFKA_RESP_ERR__FATAL) return false;
    note_fatal_error();
    return true;
  }

  // Purges what is queued and in flight (their delivery reports are served now, as
  // failures), waits up to 500 ms for those reports, calls `before_replace` (reports that
  // never came back are the owner's to count), then builds a new handle. Returns the fatal
  // error as "NAME: reason".
  std::string replace(const std::function<void()>& before_replace);

  // For tests that inject faults (rd_kafka_test_fatal_error).
  rd_kafka_t* handle_for_testing() NO_THREAD_SAFETY_ANALYSIS { return handle_.get(); }

 private:
  std::function<KafkaHandle()> make_;
  SharedMutex handle_mutex_;  // exclusive while handle_ is replaced
  KafkaHandle handle_ GUARDED_BY(handle_mutex_);
  bool fatal_error_ = false;  // set by the error callback and read on the poll thread
};

}  // namespace hc::producer
