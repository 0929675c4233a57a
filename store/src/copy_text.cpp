#include "hc/store/copy_text.h"

#include <fmt/format.h>

namespace hc {

void append_copy_escaped(std::string& out, std::string_view text) {
  // Runs without a special character are appended whole: URLs and details rarely have any.
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char* escaped = nullptr;
    switch (text[i]) {
      case '\\':
        escaped = "\\\\";
        break;
      case '\t':
        escaped = "\\t";
        break;
      case '\n':
        escaped = "\\n";
        break;
      case '\r':
        escaped = "\\r";
        break;
      default:
        continue;
    }
    out.append(text.substr(run_start, i - run_start));
    out.append(escaped, 2);
    run_start = i + 1;
  }
  out.append(text.substr(run_start));
}

void append_copy_integer(std::string& out, std::int64_t value) {
  fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

void append_copy_text_array(std::string& out, const std::vector<std::string>& elements) {
  // Two layers: the array literal PostgreSQL's array input reads, then COPY's escaping of
  // that literal as one field.
  std::string literal = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) literal.push_back(',');
    literal.push_back('"');
    for (char c : elements[i]) {
      if (c == '"' || c == '\\') literal.push_back('\\');
      literal.push_back(c);
    }
    literal.push_back('"');
  }
  literal.push_back('}');
  append_copy_escaped(out, literal);
}

void append_copy_optional(std::string& out, const std::optional<std::int64_t>& value) {
  if (value) {
    append_copy_integer(out, *value);
  } else {
    out.append(kCopyNull);
  }
}

void append_copy_optional(std::string& out, const std::optional<int>& value) {
  append_copy_optional(out, value ? std::optional<std::int64_t>(*value) : std::nullopt);
}

void append_copy_bool(std::string& out, bool value) { out.push_back(value ? 't' : 'f'); }

void append_copy_optional(std::string& out, const std::optional<bool>& value) {
  if (value) {
    append_copy_bool(out, *value);
  } else {
    out.append(kCopyNull);
  }
}

void append_copy_optional(std::string& out, const std::optional<std::string>& text) {
  if (text) {
    append_copy_escaped(out, *text);
  } else {
    out.append(kCopyNull);
  }
}

void append_copy_optional(std::string& out, const std::optional<WallTime>& time) {
  if (time) {
    append_timestamp(out, *time);
  } else {
    out.append(kCopyNull);
  }
}

void append_copy_text_or_null(std::string& out, std::string_view text) {
  if (text.empty()) {
    out.append(kCopyNull);
  } else {
    append_copy_escaped(out, text);
  }
}

}  // namespace hc
