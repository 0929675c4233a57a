#include "maintenance_thread.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "hc/common/clock.h"
#include "hc/store/maintenance.h"

namespace hc::consumer {

std::chrono::microseconds next_maintenance_delay(WallTime now, std::chrono::seconds interval) {
  const auto since_epoch = now.time_since_epoch();
  const auto next_hour =
      std::chrono::floor<std::chrono::hours>(since_epoch) + std::chrono::hours(1);
  const auto after_hour = std::chrono::duration_cast<std::chrono::microseconds>(
      next_hour + kHourCloseDelay - since_epoch);
  // Within kHourCloseDelay after an hour began, that hour's close is still ahead.
  const auto hour_close =
      after_hour > std::chrono::hours(1) ? after_hour - std::chrono::hours(1) : after_hour;
  return std::min<std::chrono::microseconds>(interval, hour_close);
}

MaintenanceThread::MaintenanceThread(std::chrono::seconds interval, Run run, ConsumerStats& stats)
    : interval_(interval), run_(std::move(run)), stats_(stats), thread_([this] { loop(); }) {}

MaintenanceThread::~MaintenanceThread() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  stop_changed_.notify_all();
  thread_.join();
}

void MaintenanceThread::loop() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    std::vector<DatabaseUpkeep> results;
    try {
      results = run_();
    } catch (const std::exception& error) {  // maintain_tables reports errors; this is a bug
      DatabaseUpkeep failed;
      failed.error = error.what();
      results.push_back(std::move(failed));
    }
    record(results);
    const auto next_run = std::chrono::steady_clock::now() +
                          next_maintenance_delay(SystemClock().wall_now(), interval_);
    lock.lock();
    while (!stopping_ && stop_changed_.wait_until(mutex_, next_run)) {
    }
  }
}

void MaintenanceThread::record(const std::vector<DatabaseUpkeep>& results) {
  for (const auto& upkeep : results) {
    const MaintenanceResult result = result_of(upkeep);
    stats_.maintenance_runs.at(static_cast<std::size_t>(result))
        .fetch_add(1, std::memory_order_relaxed);
    stats_.partitions_created.fetch_add(upkeep.partitions_created, std::memory_order_relaxed);
    stats_.partitions_dropped.fetch_add(upkeep.partitions_dropped, std::memory_order_relaxed);
    for (const auto& action : upkeep.actions) {
      spdlog::info("maintenance of database {}: {}", upkeep.database, action);
    }
    switch (result) {
      case MaintenanceResult::kFailed:
        spdlog::warn("maintenance of database {} failed: {}; trying again in {} s", upkeep.database,
                     upkeep.error, interval_.count());
        break;
      case MaintenanceResult::kSkipped:
        spdlog::debug("maintenance of database {} skipped: another process holds its lock",
                      upkeep.database);
        break;
      case MaintenanceResult::kOk:
        spdlog::debug("maintenance of database {} done: {} partitions created, {} dropped",
                      upkeep.database, upkeep.partitions_created, upkeep.partitions_dropped);
        break;
    }
  }
}

}  // namespace hc::consumer
