// The columns of a measurements table (each route's `table_name`) and how a Measurement
// fills them: one list in measurement_columns.cpp. Adding a column is one entry there (its
// name, SQL type, migration version and COPY writer) and one migration in pg_migrations.cpp.
#pragma once

#include <string>

#include "hc/common/message.h"
#include "table_columns.h"

namespace hc::store {

// Every column in table order (= COPY order), primary key (url_digest, measurement_time)
// first.
TableColumns measurement_columns();

// Appends `row` as one COPY text line: measurement_columns().size() tab-separated fields in
// that order, newline-terminated. REQUIRES: row was accepted by the message decoder
// (url_digest is 64 hex digits, times in years 0001..9999, no NUL in any text).
void append_measurement_copy_row(std::string& out, const Measurement& row);

}  // namespace hc::store
