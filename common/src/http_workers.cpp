#include "http_workers.h"

namespace hc::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued) : max_queued_(max_queued) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(Job job) {
  {
    MutexLock lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(job));
  }
  job_ready_.notify_one();
  return true;
}

void WorkerPool::stop() {
  std::deque<Job> abandoned;
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    abandoned.swap(queue_);
  }
  job_ready_.notify_all();
  for (Job& job : abandoned) job.abandon();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::work() {
  while (true) {
    Job job;
    {
      MutexLock lock(mutex_);
      while (!stopping_ && queue_.empty()) job_ready_.wait(mutex_);
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.run();
  }
}

}  // namespace hc::http
