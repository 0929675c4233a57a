#include "router.h"

#include <algorithm>
#include <stdexcept>

namespace hc::consumer {

Router::Router(const std::vector<TopicSinkConfig>& topics) {
  for (auto& database : database_tables(topics)) {
    database_uris_.push_back(std::move(database.connection_uri));
    tables_by_database_.push_back(std::move(database.tables));
  }
  for (const auto& route : topics) {
    const auto database = static_cast<std::size_t>(
        std::ranges::find(database_uris_, route.connection_uri) - database_uris_.begin());
    const auto& tables = tables_by_database_[database];
    const auto table_in_database = static_cast<std::size_t>(
        std::ranges::find(tables, route.table_name, &TableSpec::name) - tables.begin());
    // Rows are decoded by their topic's kind and written by their table's: both must agree.
    if (kind_by_topic_.try_emplace(route.source_topic, route.kind).first->second != route.kind) {
      throw std::invalid_argument("route " + route.source_topic + " -> " + route.table_name +
                                  ": a topic of two kinds");
    }
    const TableSink sink{database, table_in_database};
    auto known = std::ranges::find_if(sinks_, [&](const TableSink& s) {
      return s.database == sink.database && s.table_in_database == sink.table_in_database;
    });
    if (known == sinks_.end()) known = sinks_.insert(sinks_.end(), sink);
    const auto sink_index = static_cast<std::size_t>(known - sinks_.begin());

    if (std::ranges::find(source_topics_, route.source_topic) == source_topics_.end()) {
      source_topics_.push_back(route.source_topic);
      dead_letter_by_topic_[route.source_topic] =
          route.dead_letter_topic.empty() ? route.source_topic + ".dlq" : route.dead_letter_topic;
    }
    // The same table listed twice for one topic is written once.
    auto& topic_sinks = sinks_by_topic_[route.source_topic];
    if (std::ranges::find(topic_sinks, sink_index) == topic_sinks.end()) {
      topic_sinks.push_back(sink_index);
    }
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
