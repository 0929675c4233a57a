// A channel's worker with a transport that records what it is given: reminders while a site
// stays down, and none once the event's partition has moved to another instance.
#include "channel_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hc/common/mutex.h"
#include "hc/test/support.h"

namespace hc::notify {
namespace {

using std::chrono::seconds;

// Accepts every message and keeps the event ids it was given, in order.
class RecordingTransport final : public ChannelTransport {
 public:
  explicit RecordingTransport(std::shared_ptr<std::vector<std::string>> sent, Mutex& mutex)
      : sent_(std::move(sent)), mutex_(mutex) {}
  SendOutcome send(const NotifyChannel&, std::span<const Notification* const> events,
                   const RenderContext&) override {
    MutexLock lock(mutex_);
    for (const Notification* event : events) sent_->push_back(event->event_id);
    return SendOutcome{SendOutcome::Kind::kAccepted, ""};
  }

 private:
  std::shared_ptr<std::vector<std::string>> sent_;
  Mutex& mutex_;
};

// Dead letters are never sent here: the transport accepts everything.
KafkaSettings nowhere() {
  KafkaSettings settings;
  settings.bootstrap_servers = {"127.0.0.1:9"};
  return settings;
}

class ChannelWorkerTest : public ::testing::Test {
 protected:
  ChannelWorkerTest() {
    channel_.name = "hook";
    channel_.url = "http://127.0.0.1:9/hook";
    channel_.repeat_every = seconds(1);
    tracker_.assign(partition_, -1, {});
  }

  std::shared_ptr<const Notification> down_event() const {
    auto notification = std::make_shared<Notification>();
    notification->topic = partition_.topic;
    notification->partition = partition_.partition;
    notification->offset = 0;
    notification->event.url = "http://127.0.0.1:9/site";
    notification->event.from = SiteStatus::kUp;
    notification->event.to = SiteStatus::kDown;
    notification->event.at = WallTime(std::chrono::seconds(1'800'000'000));
    notification->event_id = "e1";
    tracker_.add(partition_, notification->offset, {0});
    return notification;
  }

  std::size_t reminders() const {
    MutexLock lock(mutex_);
    std::size_t count = 0;
    for (const std::string& id : *sent_) count += id.starts_with("e1.r") ? 1 : 0;
    return count;
  }

  std::unique_ptr<ChannelWorker> start_worker() {
    return std::make_unique<ChannelWorker>(0, channel_, config_, silences_, tracker_, dead_letters_,
                                           stats_,
                                           std::make_unique<RecordingTransport>(sent_, mutex_));
  }

  NotifyChannel channel_;
  NotifyConfig config_;
  std::vector<NotifySilence> no_silences_;
  SilenceBook silences_{no_silences_};
  mutable DeliveryTracker tracker_{{"hook"}};
  KafkaSettings kafka_ = nowhere();
  DeadLetters dead_letters_{kafka_, "notify.dlq"};
  NotifyStats stats_{{"hook"}};
  PartitionId partition_{"healthcheck.events", 0};
  mutable Mutex mutex_;
  std::shared_ptr<std::vector<std::string>> sent_ = std::make_shared<std::vector<std::string>>();
};

TEST_F(ChannelWorkerTest, ASiteStillDownIsRemindedEveryRepeatInterval) {
  auto worker = start_worker();
  worker->enqueue(down_event());
  ASSERT_TRUE(test::eventually([&] { return reminders() >= 2; }, seconds(10)));
  MutexLock lock(mutex_);
  ASSERT_GE(sent_->size(), 3u);
  EXPECT_EQ((*sent_)[0], "e1");
  EXPECT_EQ((*sent_)[1], "e1.r1");
  EXPECT_EQ((*sent_)[2], "e1.r2");
}

// After a rebalance the partition's later events (the site back up) reach its new owner;
// reminders from the old one would say the site is still down.
TEST_F(ChannelWorkerTest, RemindersStopOnceThePartitionIsRevoked) {
  auto worker = start_worker();
  worker->enqueue(down_event());
  ASSERT_TRUE(test::eventually([&] { return reminders() >= 1; }, seconds(10)));
  tracker_.revoke(partition_);
  const std::size_t at_revoke = reminders();
  // Three more repeat intervals: a reminder already being sent may still land, no more.
  std::this_thread::sleep_for(seconds(3) + std::chrono::milliseconds(500));
  EXPECT_LE(reminders(), at_revoke + 1);
}

// Revoked and assigned again (a rebalance that gave it back): its events are read again from
// the last commit, so the old reminder is not carried over either.
TEST_F(ChannelWorkerTest, RemindersStopWhenThePartitionComesBackUnderANewAssignment) {
  auto worker = start_worker();
  worker->enqueue(down_event());
  ASSERT_TRUE(test::eventually([&] { return reminders() >= 1; }, seconds(10)));
  tracker_.revoke(partition_);
  tracker_.assign(partition_, 1, {});
  const std::size_t at_reassign = reminders();
  std::this_thread::sleep_for(seconds(3) + std::chrono::milliseconds(500));
  EXPECT_LE(reminders(), at_reassign + 1);
}

}  // namespace
}  // namespace hc::notify
