#include "router.h"

#include <algorithm>
#include <stdexcept>

namespace hc::consumer {
namespace {

template <typename T>
std::size_t index_of_or_append(std::vector<T>& items, const T& item) {
  auto it = std::find(items.begin(), items.end(), item);
  if (it != items.end()) return static_cast<std::size_t>(it - items.begin());
  items.push_back(item);
  return items.size() - 1;
}

}  // namespace

Router::Router(const std::vector<TopicSinkConfig>& topics) {
  for (const auto& route : topics) {
    std::size_t database = index_of_or_append(database_uris_, route.connection_uri);
    if (tables_by_database_.size() <= database) tables_by_database_.resize(database + 1);
    auto& tables = tables_by_database_[database];
    auto table = std::ranges::find(tables, route.table_name, &TableSpec::name);
    const auto table_in_database = static_cast<std::size_t>(table - tables.begin());
    if (table == tables.end()) {
      tables.push_back({route.table_name, route.kind, route.partition_interval,
                        route.retention_days, route.rollup_retention_days});
      sinks_.push_back({database, table_in_database});
    } else if (table->rollup_retention_days != 0 &&
               (route.rollup_retention_days == 0 ||
                route.rollup_retention_days > table->rollup_retention_days)) {
      table->rollup_retention_days = route.rollup_retention_days;
    }
    // Rows are decoded by their topic's kind and written by their table's: both must agree.
    if (tables[table_in_database].kind != route.kind ||
        kind_by_topic_.try_emplace(route.source_topic, route.kind).first->second != route.kind) {
      throw std::invalid_argument("route " + route.source_topic + " -> " + route.table_name +
                                  ": a topic or table of two kinds");
    }
    auto sink = std::ranges::find_if(sinks_, [&](const TableSink& s) {
      return s.database == database && s.table_in_database == table_in_database;
    });
    const auto sink_index = static_cast<std::size_t>(sink - sinks_.begin());

    if (std::find(source_topics_.begin(), source_topics_.end(), route.source_topic) ==
        source_topics_.end()) {
      source_topics_.push_back(route.source_topic);
      dead_letter_by_topic_[route.source_topic] =
          route.dead_letter_topic.empty() ? route.source_topic + ".dlq" : route.dead_letter_topic;
    }
    // The same table listed twice for one topic is written once.
    index_of_or_append(sinks_by_topic_[route.source_topic], sink_index);
  }
}

const std::vector<std::size_t>& Router::sinks_for(const std::string& topic) const {
  static const std::vector<std::size_t> no_sinks;
  auto it = sinks_by_topic_.find(topic);
  return it == sinks_by_topic_.end() ? no_sinks : it->second;
}

RouteKind Router::kind_of(std::string_view topic) const {
  auto it = kind_by_topic_.find(topic);
  return it == kind_by_topic_.end() ? RouteKind::kMeasurements : it->second;
}

const std::string& Router::dead_letter_topic(const std::string& topic) const {
  auto it = dead_letter_by_topic_.find(topic);
  if (it == dead_letter_by_topic_.end()) throw std::out_of_range("no route for topic " + topic);
  return it->second;
}

}  // namespace hc::consumer
