// The columns of an events table (a route with `kind: events`) and how an EventRow fills
// them: one list in event_columns.cpp, like measurement_columns.h for measurements. Adding a
// column is one entry there and one migration in event_migrations() (table_schema.cpp).
#pragma once

#include <string>

#include "hc/store/row.h"
#include "table_columns.h"

namespace hc::store {

// Every column in table order (= COPY order), primary key (url_digest, at) first. An
// event's `from` and `to` are the columns from_state and to_state (FROM and TO are reserved
// words in SQL); its cause fills failed_conditions, error, error_detail and status_code,
// all NULL when the event has no cause.
TableColumns event_columns();

// Appends `row` as one COPY text line: event_columns().size() tab-separated fields in that
// order, newline-terminated. REQUIRES: row.event was accepted by the event decoder and
// row.url_digest is its URL's SHA-256 hex.
void append_event_copy_row(std::string& out, const EventRow& row);

}  // namespace hc::store
