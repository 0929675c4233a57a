// Follows the silences topic (NotifyConfig::silences_topic, silence_json.h) on its own thread
// (in `hc notify`, and in `hc serve` for the pages)
// and keeps the SilenceBook's runtime silences equal to the topic's: every partition is read
// from its beginning, then live; each record that changes the set replaces the book's
// runtime silences (a tombstone ends a silence). A record that is not a valid silence is
// logged and left out.
//
// No consumer group: every `hc notify` member needs every silence. The topic's partitions
// are looked up every second until it has some, then every kMetadataInterval, so a topic
// created or grown later is followed too. Nothing is committed.
//
// Thread: the constructor and destructor on the owner's thread; the follower's own thread
// does the rest.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "hc/common/mutex.h"
#include "hc/common/notify_config.h"
#include "hc/common/silence_book.h"

namespace hc {

class SilencesFollower {
 public:
  static constexpr std::chrono::milliseconds kMetadataInterval{5000};

  // Starts following. `config` and `book` must outlive the follower; `client_id` names its
  // Kafka client (and the group id it never joins): "hc-notify-silences", "hc-serve-silences".
  // Throws std::runtime_error when the Kafka client cannot be made.
  SilencesFollower(const NotifyConfig& config, SilenceBook& book, std::string client_id);
  // Stops the thread and closes the client.
  ~SilencesFollower();
  SilencesFollower(const SilencesFollower&) = delete;
  SilencesFollower& operator=(const SilencesFollower&) = delete;

  // Waits until every partition was read to the end it had when first seen (a topic that does
  // not exist counts as read), at most `timeout`. True when it was.
  bool wait_caught_up(std::chrono::milliseconds timeout);

 private:
  void run();

  const NotifyConfig& config_;
  SilenceBook& book_;
  std::string client_id_;  // set by the constructor only
  Mutex mutex_;
  CondVar changed_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  bool caught_up_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: it uses the members above
};

}  // namespace hc
