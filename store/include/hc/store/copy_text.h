// PostgreSQL COPY text format: the field encodings the column writers use
// (measurement_columns.cpp, event_columns.cpp). Fields are tab-separated, rows newline-terminated.
//
// The sink formats a whole batch into a few large buffers itself: per-row formatting
// through libpqxx's stream_to costs several allocations per field and was the writer's
// main CPU cost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/message.h"

namespace hc {

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

// Optional fields: the value, or NULL for nullopt. A time is written as format_timestamp.
void append_copy_optional(std::string& out, const std::optional<std::int64_t>& value);
void append_copy_optional(std::string& out, const std::optional<int>& value);
void append_copy_bool(std::string& out, bool value);
void append_copy_optional(std::string& out, const std::optional<bool>& value);
void append_copy_optional(std::string& out, const std::optional<std::string>& text);
void append_copy_optional(std::string& out, const std::optional<WallTime>& time);
// Text where the empty string means "none": NULL for it.
void append_copy_text_or_null(std::string& out, std::string_view text);

}  // namespace hc
