// The reading side of PostgreSQL's one-dimensional array literal for text[], as array_in
// does it (src/backend/utils/adt/arrayfuncs.c, ReadArrayStr): the reference the array
// writer (append_copy_text_array) is checked against. For the fuzzer only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hc::fuzz {

// One element: nullopt for an unquoted NULL.
using ArrayElement = std::optional<std::string>;

// The elements of `literal` ("{a,"b c",NULL}"), or nullopt if it is not a 1-D array literal.
inline std::optional<std::vector<ArrayElement>> text_array_parse(std::string_view literal) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  std::size_t i = 0;
  auto skip_spaces = [&] {
    while (i < literal.size() && is_space(literal[i])) ++i;
  };
  skip_spaces();
  if (i == literal.size() || literal[i] != '{') return std::nullopt;
  ++i;
  std::vector<ArrayElement> elements;
  skip_spaces();
  if (i < literal.size() && literal[i] == '}') {
    ++i;
    skip_spaces();
    return i == literal.size() ? std::optional(elements) : std::nullopt;
  }
  while (true) {
    skip_spaces();
    std::string value;
    bool quoted = false;
    bool escaped_any = false;
    if (i < literal.size() && literal[i] == '"') {
      quoted = true;
      ++i;
      while (true) {
        if (i == literal.size()) return std::nullopt;
        const char c = literal[i++];
        if (c == '"') break;
        if (c == '\\') {
          if (i == literal.size()) return std::nullopt;
          value.push_back(literal[i++]);
        } else {
          value.push_back(c);
        }
      }
      skip_spaces();
    } else {
      std::size_t kept = 0;  // value's length up to its last escaped or non-space character
      while (i < literal.size() && literal[i] != ',' && literal[i] != '}') {
        const char c = literal[i++];
        if (c == '"' || c == '{') return std::nullopt;
        if (c == '\\') {
          if (i == literal.size()) return std::nullopt;
          value.push_back(literal[i++]);
          escaped_any = true;
          kept = value.size();
        } else {
          value.push_back(c);
          if (!is_space(c)) kept = value.size();
        }
      }
      value.resize(kept);
      if (value.empty() && !escaped_any) return std::nullopt;  // "{a,,b}" is refused
    }
    auto equals_null = [](std::string_view text) {
      if (text.size() != 4) return false;
      for (std::size_t k = 0; k < 4; ++k) {
        if ((text[k] | 0x20) != "null"[k]) return false;
      }
      return true;
    };
    if (!quoted && !escaped_any && equals_null(value)) {
      elements.emplace_back(std::nullopt);
    } else {
      elements.emplace_back(std::move(value));
    }
    if (i == literal.size()) return std::nullopt;
    if (literal[i] == ',') {
      ++i;
      continue;
    }
    ++i;  // '}'
    skip_spaces();
    return i == literal.size() ? std::optional(elements) : std::nullopt;
  }
}

}  // namespace hc::fuzz
