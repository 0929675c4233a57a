// Prometheus metrics and /healthz of the consumer role (--metrics-addr), read at scrape time
// on the metrics server's thread.
//
// They answer from the start of the role: while the databases are migrated (or waited for)
// /healthz answers 503 with the reason and /metrics has hc_database_up 0; once the loop runs,
// its ConsumerStats are read.
//
// Threads: the role's thread calls set_starting() and attach(); the server's thread calls
// the collectable and problem(). A mutex guards the switch.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "consumer_stats.h"
#include "hc/common/metric_families.h"
#include "hc/common/mutex.h"

namespace hc::consumer {

class ConsumerMetrics {
 public:
  ConsumerMetrics() = default;
  ConsumerMetrics(const ConsumerMetrics&) = delete;
  ConsumerMetrics& operator=(const ConsumerMetrics&) = delete;

  // Not consuming yet, and why (e.g. the error of the last migration attempt).
  void set_starting(std::string reason);

  // Reads `stats` until the returned guard goes; then back to "stopping".
  class Attachment {
   public:
    explicit Attachment(ConsumerMetrics& metrics) : metrics_(metrics) {}
    ~Attachment();
    Attachment(const Attachment&) = delete;
    Attachment& operator=(const Attachment&) = delete;

   private:
    ConsumerMetrics& metrics_;
  };
  [[nodiscard]] Attachment attach(const ConsumerStats& stats);

  // For MetricsServer. Holds a reference to this object: keep it alive while serving.
  std::shared_ptr<prometheus::Collectable> collectable();

  // nullopt while the consumer works; otherwise why not (starting, Kafka or a database
  // unreachable).
  std::optional<std::string> problem() const;

 private:
  void collect(MetricFamilyWriter& out) const;

  mutable Mutex mutex_;
  const ConsumerStats* stats_ GUARDED_BY(mutex_) = nullptr;  // set while attached
  std::string not_running_reason_ GUARDED_BY(mutex_) = "starting";
};

}  // namespace hc::consumer
