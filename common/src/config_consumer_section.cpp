// healthcheck-consumer-config: Kafka settings, group, batching and the topic -> table routes.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "config_names.h"
#include "config_sections.h"

namespace hc::config_detail {
namespace {

constexpr auto kConsumerKeys = with_kafka_keys(std::array<std::string_view, 17>{
    "group_id", "auto_offset_reset", "batch_max_rows", "batch_max_wait_ms", "max_message_bytes",
    "session_timeout_ms", "connections_per_database", "statement_timeout_ms", "lock_timeout_ms",
    "connect_timeout_seconds", "tcp_keepalives_idle_seconds", "tcp_keepalives_interval_seconds",
    "tcp_keepalives_count", "writer_busy_unhealthy_after_ms", "maintenance_interval_seconds",
    "redact_query_params", "topics"});
constexpr std::array<std::string_view, 9> kRouteKeys = {"source_topic",
                                                        "connection_uri",
                                                        "table_name",
                                                        "dead_letter_topic",
                                                        "kind",
                                                        "partition_interval",
                                                        "retention_days",
                                                        "rollup_retention_days",
                                                        "read_connection_uri"};
// Indexed by RouteKind.
constexpr std::array<std::string_view, 2> kRouteKinds = {"measurements", "events"};
constexpr std::array<std::string_view, 3> kPartitionIntervals = {"day", "week", "month"};
constexpr std::array<std::string_view, 2> kOffsetResets = {"earliest", "latest"};

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Why libpq would misread `uri` (a postgresql:// URI), or nullopt. libpq ends the
// user:password part at the first '@' or '/', and rejects a '%' not followed by two hex
// digits (quoting the rest of the token, i.e. the password, in its message). So a
// password with a raw '/' or '@' silently becomes a host, port or database name, and a
// raw '%' an error that leaks it. The message never repeats any part of the URI.
std::optional<std::string> uri_problem(std::string_view uri) {
  constexpr std::string_view kHint =
      "; a user name or password with % / @ : ? # must be percent-encoded in a URI (%25 %2F "
      "%40 %3A %3F %23), or use the key=value form with password='...'";
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] != '%') continue;
    if (i + 2 >= uri.size() || !is_hex_digit(uri[i + 1]) || !is_hex_digit(uri[i + 2])) {
      return "a '%' that does not start a percent-encoded byte (%XX)" + std::string(kHint);
    }
    if (uri[i + 1] == '0' && uri[i + 2] == '0') return std::string("a percent-encoded NUL (%00)");
  }
  const std::size_t authority = uri.find("://") + 3;
  const std::size_t query = std::min(uri.find('?', authority), uri.size());
  const std::size_t at = uri.find('@', authority);
  if (at < query) {
    if (uri.find('@', at + 1) < query) {
      return "more than one '@' before the host" + std::string(kHint);
    }
    if (uri.find('/', authority) < at) return "a '/' before the '@'" + std::string(kHint);
  }
  return std::nullopt;
}

// The URI may hold a password: it is checked for shape only and never quoted back.
std::optional<std::string> read_connection_uri(YamlReader& reader, const Located& value) {
  auto uri = reader.string(value);
  if (!uri) return std::nullopt;
  bool is_uri = uri->starts_with("postgresql://") || uri->starts_with("postgres://");
  bool is_keyword_list = uri->find('=') != std::string::npos;
  if (!is_uri && !is_keyword_list) {
    reader.report(value.mark, value.path,
                  "expected a libpq connection URI (postgresql://user@host:port/database) or "
                  "'key=value' connection string");
    return std::nullopt;
  }
  if (uri->find('\0') != std::string::npos) {
    reader.report(value.mark, value.path, "expected a connection string without NUL bytes");
    return std::nullopt;
  }
  if (is_uri) {
    if (auto problem = uri_problem(*uri)) {
      reader.report(value.mark, value.path, "libpq would misread this connection URI: " + *problem);
      return std::nullopt;
    }
  }
  return uri;
}

std::optional<TopicSinkConfig> read_route(YamlReader& reader, const Located& item) {
  auto fields =
      reader.map(item, kRouteKeys, "a route (a map with source_topic, connection_uri, table_name)");
  if (!fields) return std::nullopt;
  std::size_t errors_before = reader.error_count();
  TopicSinkConfig route;
  const Located* source = reader.require(*fields, "source_topic", "the Kafka topic to read");
  if (source != nullptr) route.source_topic = read_topic_name(reader, *source).value_or("");
  if (const Located* uri = reader.require(*fields, "connection_uri", "the PostgreSQL URI")) {
    route.connection_uri = read_connection_uri(reader, *uri).value_or("");
  }
  if (const Located* uri = fields->find("read_connection_uri")) {
    route.read_connection_uri = read_connection_uri(reader, *uri).value_or("");
  }
  if (const Located* table = reader.require(*fields, "table_name", "the table to write")) {
    auto name = reader.string(*table);
    if (name && !is_safe_identifier(*name)) {
      reader.report(table->mark, table->path,
                    "expected a table name of letters, digits and _ (not starting with a digit, "
                    "at most 63 characters), got " +
                        quote_for_message(*name));
    } else if (name) {
      route.table_name = *name;
    }
  }
  if (const Located* kind = fields->find("kind")) {
    if (auto name = reader.choice(*kind, kRouteKinds)) {
      route.kind = *name == kRouteKinds[1] ? RouteKind::kEvents : RouteKind::kMeasurements;
    }
  }
  if (const Located* dead_letter = fields->find("dead_letter_topic")) {
    route.dead_letter_topic = read_topic_name(reader, *dead_letter).value_or("");
    if (!route.dead_letter_topic.empty() && route.dead_letter_topic == route.source_topic) {
      reader.report(dead_letter->mark, dead_letter->path,
                    "the dead-letter topic must differ from source_topic (it would loop)");
    }
  } else if (!route.source_topic.empty()) {
    route.dead_letter_topic = route.source_topic + ".dlq";
    if (!is_kafka_topic_name(route.dead_letter_topic)) {
      reader.report(source->mark, source->path,
                    "too long for the default dead-letter topic '<source_topic>.dlq'; set "
                    "dead_letter_topic");
    }
  }
  for (const std::string_view key :
       {"partition_interval", "retention_days", "rollup_retention_days"}) {
    const Located* storage_key = fields->find(key);
    if (storage_key != nullptr && route.kind == RouteKind::kEvents) {
      reader.report(storage_key->mark, storage_key->path,
                    std::string(key) +
                        " applies to measurements tables only; an events table keeps every "
                        "event and is not partitioned");
    }
  }
  if (const Located* interval = fields->find("partition_interval")) {
    if (auto choice = reader.choice(*interval, kPartitionIntervals)) {
      route.partition_interval = *choice == "week"    ? PartitionInterval::kWeek
                                 : *choice == "month" ? PartitionInterval::kMonth
                                                      : PartitionInterval::kDay;
    }
  }
  if (const Located* retention = fields->find("retention_days")) {
    if (auto days = reader.integer(*retention, 0, 36500, "days (0 = keep forever)")) {
      route.retention_days = static_cast<int>(*days);
    }
  }
  if (const Located* days = fields->find("rollup_retention_days")) {
    if (auto value = reader.integer(*days, 0, 36500, "days")) {
      route.rollup_retention_days = static_cast<int>(*value);
    }
  }
  if (reader.error_count() != errors_before) return std::nullopt;
  return route;
}

}  // namespace

ConsumerConfig read_consumer_section(YamlReader& reader, const Located& section) {
  ConsumerConfig consumer;
  auto fields = reader.map(section, kConsumerKeys, "a map of consumer settings");
  if (!fields) return consumer;
  consumer.kafka = read_kafka_settings(reader, *fields);
  consumer.redact_query_params = read_redact_query_params(reader, *fields);
  for (const auto& [key, value] : fields->entries()) {
    if (key == "group_id") {
      auto group = reader.string(value);
      if (group && group->empty()) {
        reader.report(value.mark, value.path, "expected a non-empty consumer group id");
      } else if (group) {
        consumer.group_id = *group;
      }
    } else if (key == "auto_offset_reset") {
      if (auto reset = reader.choice(value, kOffsetResets)) consumer.auto_offset_reset = *reset;
    } else if (key == "batch_max_rows") {
      if (auto rows = reader.integer(value, 1, 1000000)) consumer.batch_max_rows = *rows;
    } else if (key == "batch_max_wait_ms") {
      if (auto ms = reader.integer(value, 0, 60000, "milliseconds")) {
        consumer.batch_max_wait = std::chrono::milliseconds(*ms);
      }
    } else if (key == "max_message_bytes") {
      if (auto bytes = reader.integer(value, 1024, std::int64_t{64} * 1024 * 1024, "bytes")) {
        consumer.max_message_bytes = *bytes;
      }
    } else if (key == "connections_per_database") {
      if (auto connections = reader.integer(value, 1, 16)) {
        consumer.connections_per_database = *connections;
      }
    } else if (key == "session_timeout_ms") {
      if (auto ms = reader.integer(value, 1000, 3600000, "milliseconds")) {
        consumer.session_timeout = std::chrono::milliseconds(*ms);
      }
    } else if (key == "statement_timeout_ms") {
      if (auto ms = reader.integer(value, 0, 86400000, "milliseconds")) {
        consumer.session.statement_timeout = std::chrono::milliseconds(*ms);
      }
    } else if (key == "lock_timeout_ms") {
      if (auto ms = reader.integer(value, 0, 86400000, "milliseconds")) {
        consumer.session.lock_timeout = std::chrono::milliseconds(*ms);
      }
    } else if (key == "connect_timeout_seconds") {
      // libpq counts 1 as 2 and 0 as "wait forever": neither is offered.
      if (auto s = reader.integer(value, 2, 600, "seconds")) {
        consumer.session.connect_timeout = std::chrono::seconds(*s);
      }
    } else if (key == "tcp_keepalives_idle_seconds") {
      if (auto s = reader.integer(value, 1, 7200, "seconds")) {
        consumer.session.keepalives_idle = std::chrono::seconds(*s);
      }
    } else if (key == "tcp_keepalives_interval_seconds") {
      if (auto s = reader.integer(value, 1, 600, "seconds")) {
        consumer.session.keepalives_interval = std::chrono::seconds(*s);
      }
    } else if (key == "tcp_keepalives_count") {
      if (auto count = reader.integer(value, 1, 100)) {
        consumer.session.keepalives_count = static_cast<int>(*count);
      }
    } else if (key == "maintenance_interval_seconds") {
      if (auto s = reader.integer(value, 1, 86400, "seconds")) {
        consumer.maintenance_interval = std::chrono::seconds(*s);
      }
    } else if (key == "writer_busy_unhealthy_after_ms") {
      if (auto ms = reader.integer(value, 100, 86400000, "milliseconds")) {
        consumer.writer_busy_unhealthy_after = std::chrono::milliseconds(*ms);
      }
    }
  }

  const Located* topics = reader.require(*fields, "topics", "the topic -> table routes");
  if (topics == nullptr) return consumer;
  auto items = reader.list(*topics, "a list of routes (source_topic, connection_uri, table_name)");
  if (!items) return consumer;
  if (items->empty()) {
    reader.report(topics->mark, topics->path, "expected at least one route (nothing to consume)");
  }
  // The same topic written twice into one table would only double the work.
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  // A topic's records are decoded one way, and a table has one set of columns: the first
  // route naming a topic or a table decides its kind.
  std::map<std::string, RouteKind> topic_kinds;
  std::map<std::pair<std::string, std::string>, RouteKind> table_kinds;
  // One table has one layout: the first route to name it sets its storage settings.
  std::map<std::pair<std::string, std::string>, std::pair<PartitionInterval, int>> storage;
  // One database is read one way: the first route giving a read_connection_uri sets it.
  std::map<std::string, std::string> read_uris;
  for (const Located& item : *items) {
    auto route = read_route(reader, item);
    if (!route) continue;
    if (!seen.emplace(route->source_topic, route->connection_uri, route->table_name).second) {
      reader.report(item.mark, item.path,
                    "duplicate route: topic '" + route->source_topic + "' already feeds table '" +
                        route->table_name + "' of this database");
      continue;
    }
    const std::string kind_name(kRouteKinds[static_cast<std::size_t>(route->kind)]);
    if (topic_kinds.try_emplace(route->source_topic, route->kind).first->second != route->kind) {
      reader.report(item.mark, item.path + ".kind",
                    "topic '" + route->source_topic +
                        "' is read as another kind by an earlier "
                        "route; every route of one topic needs the same kind (here " +
                        kind_name + ")");
      continue;
    }
    if (table_kinds.try_emplace({route->connection_uri, route->table_name}, route->kind)
            .first->second != route->kind) {
      reader.report(item.mark, item.path + ".kind",
                    "table '" + route->table_name +
                        "' of this database is written as another "
                        "kind by an earlier route; a table holds one kind (here " +
                        kind_name + ")");
      continue;
    }
    const auto settings = std::make_pair(route->partition_interval, route->retention_days);
    const auto [first, inserted] =
        storage.emplace(std::make_pair(route->connection_uri, route->table_name), settings);
    if (!inserted && first->second != settings) {
      reader.report(item.mark, item.path,
                    "table '" + route->table_name +
                        "' of this database is written by an earlier route with another "
                        "partition_interval or retention_days; routes writing one table must "
                        "agree on them");
      continue;
    }
    if (!route->read_connection_uri.empty() &&
        read_uris.try_emplace(route->connection_uri, route->read_connection_uri).first->second !=
            route->read_connection_uri) {
      reader.report(item.mark, item.path + ".read_connection_uri",
                    "an earlier route to this database gives another read_connection_uri; "
                    "routes to one database (same connection_uri) need the same one");
      continue;
    }
    consumer.topics.push_back(std::move(*route));
  }
  return consumer;
}

}  // namespace hc::config_detail
