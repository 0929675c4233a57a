// What the pages of `hc serve` share: their style sheet, how they write times, durations and
// latencies, and the paths they link to. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "hc/common/message.h"

namespace hc::serve {

// The pages' CSS, inline in each page's <style> (the Content-Security-Policy allows no other
// source).
std::string_view page_style();

// "2026-11-25 10:00:03 UTC".
std::string time_text(WallTime time);

// "8.5 ms", "123 ms".
std::string milliseconds_text(std::int64_t micros);

// "45 s", "12 min", "3 h 20 min", "2 d 4 h": a length as a person reads it (floored).
std::string duration_text(std::chrono::microseconds length);

// Whether `url` starts with http:// or https:// (any case): only those become links.
bool is_http_url(std::string_view url);

// `text` percent-encoded for one path segment: every byte but ALPHA / DIGIT / "-._~".
std::string percent_encode(std::string_view text);

// The page of a site: "/sites/{site percent-encoded}", `site` a URL or a url_digest (the
// pages link by digest, so no link carries a URL's secrets).
std::string site_page_path(std::string_view site);

}  // namespace hc::serve
