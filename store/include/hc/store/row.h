// One row for a table hc writes: a measurement (measurements table) or a state-change event
// (events table), by the kind of the route it came from (RouteKind, config.h). The batch,
// the writer and the sinks carry rows of both kinds alike; what differs per kind is here
// (the row's key, URL and re-encoding) and in table_schema.h (columns, migrations).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "hc/common/config.h"
#include "hc/common/message.h"
#include "hc/common/state_event.h"

namespace hc {

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

// Appends `row` as the writer sends it: one COPY text line (copy_text.h) with one field per
// column of its kind's table, in table order.
void append_copy_row(std::string& out, const Row& row);
// How many columns a table of `kind` has: the fields of each of its COPY lines.
std::size_t column_count(RouteKind kind);

}  // namespace hc
