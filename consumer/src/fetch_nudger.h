// Keeps librdkafka fetching while the consumer drains a small prefetch queue.
//
// librdkafka 2.0.2 stops fetching once the consumer's prefetch queue holds
// queued.max.messages.kbytes and decides again only when a broker thread wakes up: on a
// request to send, a response, or its 1 s tick (librdkafka#2879; fetch.queue.backoff.ms
// came in 2.2). A consumer that empties the queue faster than that sits idle for the rest
// of the second after every refill: with an 8 MB queue the consumer of bench/consumer wrote
// 0.16x of psql `\copy`'s rows per second, and only a queue holding more than a second of
// messages hid it (at the cost of memory).
//
// FetchNudger wakes the broker threads each time the loop has taken `every_bytes` out of the
// queue: it asks the leaders of the assigned partitions for their end offsets (one
// ListOffsets request per leader), and a broker thread that sends a request looks at its
// partitions again and fetches for those below the bound. The request is sent from the
// nudger's own thread, so the loop never waits for the answer; a failed or late answer
// only means that fetch waits for the tick, so it is logged at debug level.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <thread>

#include "hc/common/mutex.h"

namespace hc::consumer {

class FetchNudger {
 public:
  // `client` must outlive this object (or stop() must be called before it is closed).
  // every_bytes 0: never nudges.
  FetchNudger(rd_kafka_t* client, std::size_t every_bytes);
  ~FetchNudger();
  FetchNudger(const FetchNudger&) = delete;
  FetchNudger& operator=(const FetchNudger&) = delete;

  // Called by the consumer loop with the bytes (keys and values) of what it polled.
  void consumed(std::size_t bytes);
  // Waits for a request in flight and ends the thread; nudges nothing afterwards. Idempotent.
  void stop();
  // Nudges sent so far (requests handed to librdkafka).
  std::size_t nudges() const;

 private:
  void loop();
  void nudge_leaders();

  rd_kafka_t* client_;
  std::size_t every_bytes_;
  std::size_t since_nudge_ = 0;  // the loop thread's own
  mutable Mutex mutex_;
  CondVar changed_;
  bool pending_ GUARDED_BY(mutex_) = false;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::size_t nudges_ GUARDED_BY(mutex_) = 0;
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace hc::consumer
