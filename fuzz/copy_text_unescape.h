// The reading side of PostgreSQL's COPY text format for one field, as the server does it
// (src/backend/commands/copyfromparse.c, CopyReadAttributesText): the reference the COPY
// escaper is checked against. For the fuzzer only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hc::fuzz {

// The value of one raw field (between delimiters), or nullopt for NULL ("\N").
inline std::optional<std::string> copy_text_unescape(std::string_view raw) {
  if (raw == "\\N") return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out.push_back(c);
      continue;
    }
    c = raw[++i];
    auto octal = [](char d) { return d >= '0' && d <= '7'; };
    auto hex = [](char d) {
      if (d >= '0' && d <= '9') return d - '0';
      if (d >= 'a' && d <= 'f') return d - 'a' + 10;
      if (d >= 'A' && d <= 'F') return d - 'A' + 10;
      return -1;
    };
    if (octal(c)) {
      int value = c - '0';
      for (int digits = 1; digits < 3 && i + 1 < raw.size() && octal(raw[i + 1]); ++digits) {
        value = value * 8 + (raw[++i] - '0');
      }
      out.push_back(static_cast<char>(value & 0377));
    } else if (c == 'x' && i + 1 < raw.size() && hex(raw[i + 1]) >= 0) {
      int value = hex(raw[++i]);
      if (i + 1 < raw.size() && hex(raw[i + 1]) >= 0) value = value * 16 + hex(raw[++i]);
      out.push_back(static_cast<char>(value));
    } else {
      switch (c) {
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'v':
          out.push_back('\v');
          break;
        default:
          out.push_back(c);
          break;
      }
    }
  }
  return out;
}

}  // namespace hc::fuzz
