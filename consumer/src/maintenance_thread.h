// The consumer's table upkeep: a thread that runs maintain_tables() (without waiting for the
// lock: one consumer of a group does the work, the others skip) at start and then every
// `interval`, logs what it did and counts it in ConsumerStats. Off the loop's thread, so a
// DROP waiting for a lock never stalls consumption.
//
// Built and destroyed by the consumer role's thread; the destructor stops the thread (a run
// in progress finishes first: its statements are bounded by the session's timeouts).
#pragma once

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "consumer_stats.h"
#include "hc/common/mutex.h"
#include "hc/store/maintenance.h"

namespace hc::consumer {

class MaintenanceThread {
 public:
  using Run = std::function<std::vector<DatabaseUpkeep>()>;
  // `stats` must outlive this object.
  MaintenanceThread(std::chrono::seconds interval, Run run, ConsumerStats& stats);
  ~MaintenanceThread();
  MaintenanceThread(const MaintenanceThread&) = delete;
  MaintenanceThread& operator=(const MaintenanceThread&) = delete;

 private:
  void loop();
  void record(const std::vector<DatabaseUpkeep>& results);

  std::chrono::seconds interval_;
  Run run_;
  ConsumerStats& stats_;
  Mutex mutex_;
  CondVar stop_changed_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread thread_;  // last: started after everything above exists
};

}  // namespace hc::consumer
