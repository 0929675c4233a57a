// The bounded worker pool of an http::Server: a fixed number of threads and a bounded queue;
// a job that does not fit is refused at once instead of waiting.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "hc/common/mutex.h"

namespace hc::http {

class WorkerPool {
 public:
  struct Job {
    std::function<void()> run;      // on a worker thread
    std::function<void()> abandon;  // instead of run, on stop()'s thread, when stopped first
  };

  // REQUIRES: threads >= 1.
  WorkerPool(std::size_t threads, std::size_t max_queued);
  // stop().
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false (and `job` dropped unrun) when max_queued jobs wait or after stop().
  // Thread: any.
  bool try_submit(Job job);
  // Refuses new jobs, abandons the queued ones, waits for the running ones, joins the
  // threads. Idempotent. Thread: any but a worker.
  void stop();

 private:
  void work();

  std::size_t max_queued_;
  Mutex mutex_;
  CondVar job_ready_;
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::deque<Job> queue_ GUARDED_BY(mutex_);
  std::vector<std::thread> threads_;
};

}  // namespace hc::http
