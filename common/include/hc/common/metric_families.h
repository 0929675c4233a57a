// Prometheus metrics read from the roles' own counters at scrape time.
//
// The producer and consumer keep their counters as atomics (also read by the periodic
// log line); a ScrapeCollectable turns them into metric families when /metrics is
// scraped, so no value is counted twice. Histograms are prometheus::Histogram objects
// owned by the roles (thread-safe Observe()).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hc {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Collects the families of one scrape. Samples of one name must share its type and help.
class MetricFamilyWriter {
 public:
  void counter(const std::string& name, const std::string& help, double value,
               const MetricLabels& labels = {});
  void gauge(const std::string& name, const std::string& help, double value,
             const MetricLabels& labels = {});
  void histogram(const std::string& name, const std::string& help,
                 const prometheus::Histogram& histogram, const MetricLabels& labels = {});
  std::vector<prometheus::MetricFamily> take();

 private:
  prometheus::ClientMetric& add(const std::string& name, const std::string& help,
                                prometheus::MetricType type, const MetricLabels& labels);
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, std::size_t> index_by_name_;
};

// A Collectable that fills a MetricFamilyWriter on each scrape. `collect` runs on the
// metrics server's thread: it may only read thread-safe state (atomics, mutex-guarded).
class ScrapeCollectable final : public prometheus::Collectable {
 public:
  explicit ScrapeCollectable(std::function<void(MetricFamilyWriter&)> collect)
      : collect_(std::move(collect)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::function<void(MetricFamilyWriter&)> collect_;
};

// Bucket bounds in seconds for request-like durations: 1 ms .. 60 s.
const prometheus::Histogram::BucketBoundaries& duration_buckets_seconds();

}  // namespace hc
