// What PostgreSQL can store, as the decoder fuzz targets check it: text without NUL that is
// valid UTF-8 (a UTF8 database refuses anything else), and times in years 1..9999.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <string_view>

#include "hc/common/message.h"

namespace fuzz {

inline bool storable_text(std::string_view text) {
  return text.find('\0') == std::string_view::npos &&
         simdjson::validate_utf8(text.data(), text.size());
}

inline bool storable_time(hc::WallTime time) {
  const std::chrono::year_month_day date(std::chrono::floor<std::chrono::days>(time));
  return date.year() >= std::chrono::year(1) && date.year() <= std::chrono::year(9999);
}

}  // namespace fuzz
