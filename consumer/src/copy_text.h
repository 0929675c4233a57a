// PostgreSQL COPY text format for measurement rows (columns in row_columns() order).
//
// The sink formats a whole batch into a few large buffers itself: per-row formatting
// through libpqxx's stream_to costs several allocations per field and was the writer's
// main CPU cost.
#pragma once

#include <string>
#include <string_view>

#include "hc/common/message.h"

namespace hc::consumer {

// Appends one row, newline-terminated: tab-separated fields, \N for NULL, backslash,
// tab, newline and carriage return escaped in text fields.
void append_copy_row(std::string& out, const Measurement& row);

// Appends `text` with COPY text escaping.
void append_copy_escaped(std::string& out, std::string_view text);

}  // namespace hc::consumer
