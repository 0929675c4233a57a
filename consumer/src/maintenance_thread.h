// The consumer's table upkeep: a thread that runs maintain_tables() (without waiting for the
// lock: one consumer of a group does the work, the others skip) at start, then every
// `interval` and shortly after each UTC hour begins (next_maintenance_delay), logs what it did
// and counts it in ConsumerStats. Off the loop's thread, so a DROP waiting for a lock never
// stalls consumption.
//
// Built and destroyed by the consumer role's thread; the destructor stops the thread (a run
// in progress finishes first: its statements are bounded by the session's timeouts).
#pragma once

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "consumer_stats.h"
#include "hc/common/message.h"
#include "hc/common/mutex.h"
#include "hc/store/maintenance.h"

namespace hc::consumer {

// How long after a run that ended at wall time `now` the next one starts: `interval`, or, when
// that comes first, kHourCloseDelay after the next UTC hour begins, so the hour that just ended
// is closed and its window sums computed within seconds, not up to `interval` later (until
// then readers of the 24 h, 7 d and 30 d windows sum the rollups). The delay lets rows of the
// ended hour still on their way (a check that ran into its timeout, the consumer's batch)
// arrive first, so that they are not late rows.
inline constexpr std::chrono::seconds kHourCloseDelay{30};
std::chrono::microseconds next_maintenance_delay(WallTime now, std::chrono::seconds interval);

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
