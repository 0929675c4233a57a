#include "hc/common/metric_families.h"

namespace hc {

prometheus::ClientMetric& MetricFamilyWriter::add(const std::string& name, const std::string& help,
                                                  prometheus::MetricType type,
                                                  const MetricLabels& labels) {
  auto [it, inserted] = index_by_name_.try_emplace(name, families_.size());
  if (inserted) families_.push_back(prometheus::MetricFamily{name, help, type, {}});
  prometheus::ClientMetric& metric = families_[it->second].metric.emplace_back();
  for (const auto& [label, value] : labels) metric.label.push_back({label, value});
  return metric;
}

void MetricFamilyWriter::counter(const std::string& name, const std::string& help, double value,
                                 const MetricLabels& labels) {
  add(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void MetricFamilyWriter::gauge(const std::string& name, const std::string& help, double value,
                               const MetricLabels& labels) {
  add(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void MetricFamilyWriter::histogram(const std::string& name, const std::string& help,
                                   const prometheus::Histogram& histogram,
                                   const MetricLabels& labels) {
  prometheus::ClientMetric& metric = add(name, help, prometheus::MetricType::Histogram, labels);
  metric.histogram = histogram.Collect().histogram;
}

std::vector<prometheus::MetricFamily> MetricFamilyWriter::take() {
  index_by_name_.clear();
  return std::move(families_);
}

std::vector<prometheus::MetricFamily> ScrapeCollectable::Collect() const {
  MetricFamilyWriter writer;
  collect_(writer);
  return writer.take();
}

const prometheus::Histogram::BucketBoundaries& duration_buckets_seconds() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return buckets;
}

}  // namespace hc
