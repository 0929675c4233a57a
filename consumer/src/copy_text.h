// PostgreSQL COPY text format: the field encodings the column writers use
// (measurement_columns.cpp). Fields are tab-separated, rows newline-terminated.
//
// The sink formats a whole batch into a few large buffers itself: per-row formatting
// through libpqxx's stream_to costs several allocations per field and was the writer's
// main CPU cost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hc::consumer {

// The NULL marker of a field.
inline constexpr std::string_view kCopyNull = "\\N";

// Appends `text` with COPY text escaping: backslash, tab, newline and carriage return.
void append_copy_escaped(std::string& out, std::string_view text);

// Appends a decimal integer.
void append_copy_integer(std::string& out, std::int64_t value);

// Appends a text[] array literal of `elements` ("{}" when empty), COPY-escaped. Every
// element is double-quoted with '"' and '\' backslash-escaped inside, so commas, braces,
// spaces, empty strings and the text NULL stay elements as written.
void append_copy_text_array(std::string& out, const std::vector<std::string>& elements);

}  // namespace hc::consumer
