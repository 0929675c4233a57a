// One row for a table hc writes: a measurement (measurements table) or a state-change event
// (events table), by the kind of the route it came from (RouteKind, config.h). The batch,
// the writer and the sinks carry rows of both kinds alike; what differs per kind is here
// (the row's key, URL and re-encoding) and in table_schema.h (columns, migrations).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "hc/common/message.h"
#include "hc/common/state_event.h"

namespace hc::consumer {

// A decoded event with the digest of its URL (the event does not carry one).
struct EventRow {
  std::string url_digest;  // SHA-256 hex of event.url
  StateEvent event;
  bool operator==(const EventRow&) const = default;
};

using Row = std::variant<Measurement, EventRow>;

// The primary key of a row's table is (url_digest, row_time): measured_at or the event's at.
std::string_view row_url_digest(const Row& row);
WallTime row_time(const Row& row);
// The URL, which is also the Kafka key the row came with.
const std::string& row_url(const Row& row);
// The row as a Kafka value again (message v1 or event v1), for a dead letter.
std::string encode_row(const Row& row);

}  // namespace hc::consumer
