// Which tables each source topic feeds, and which database holds each table.
//
// Built once from the validated config; read-only afterwards (safe to share).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/config.h"
#include "hc/store/table_spec.h"

namespace hc::consumer {

// One distinct (database, table) pair: the unit the batch keeps rows for. Several
// topics may feed one table sink; one topic may feed several.
struct TableSink {
  std::size_t database = 0;           // index into Router::database_uris()
  std::size_t table_in_database = 0;  // index into Router::tables_in(database)
};

class Router {
 public:
  // REQUIRES: topics as the config validated them (a topic, and a table, of one kind each);
  // else std::invalid_argument.
  explicit Router(const std::vector<TopicSinkConfig>& topics);

  const std::vector<TableSink>& sinks() const { return sinks_; }
  // Sink indexes fed by `topic` (each once); empty for a topic we did not subscribe to.
  const std::vector<std::size_t>& sinks_for(const std::string& topic) const;
  // Distinct source topics, in config order.
  const std::vector<std::string>& source_topics() const { return source_topics_; }
  // Distinct connection URIs, in config order: one connection each.
  const std::vector<std::string>& database_uris() const { return database_uris_; }
  // The tables of database `database`, indexed by TableSink::table_in_database, with their
  // settings (the config makes every route of one table agree on them).
  const std::vector<TableSpec>& tables_in(std::size_t database) const {
    return tables_by_database_.at(database);
  }
  // The table `sink` writes.
  const TableSpec& table(const TableSink& sink) const {
    return tables_in(sink.database).at(sink.table_in_database);
  }
  // What `topic`'s records are (measurements for a topic we did not subscribe to).
  RouteKind kind_of(std::string_view topic) const;
  // Where poison messages read from `topic` go (the topic's first route decides).
  const std::string& dead_letter_topic(const std::string& topic) const;

 private:
  std::vector<TableSink> sinks_;
  std::vector<std::string> source_topics_;
  std::vector<std::string> database_uris_;
  std::vector<std::vector<TableSpec>> tables_by_database_;
  std::map<std::string, RouteKind, std::less<>> kind_by_topic_;
  std::map<std::string, std::vector<std::size_t>> sinks_by_topic_;
  std::map<std::string, std::string> dead_letter_by_topic_;
};

}  // namespace hc::consumer
