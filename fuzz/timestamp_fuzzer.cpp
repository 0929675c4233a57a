// Fuzzes the RFC 3339 timestamp parser and formatter of message v1.
//
// Invariants:
//   - parse_timestamp never crashes, for any text;
//   - an accepted time lies in years 1..9999 (what PostgreSQL's timestamptz takes as we
//     write it) and formatting it then parsing that gives the same time;
//   - for any time in that range (the first 8 bytes as microseconds, folded into it),
//     parse(format(t)) == t and the text is 27 characters.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz_check.h"
#include "hc/common/message.h"

namespace {

using std::chrono::microseconds;

const auto kFirst = std::chrono::sys_days(std::chrono::year(1) / 1 / 1).time_since_epoch();
const auto kEnd = std::chrono::sys_days(std::chrono::year(10000) / 1 / 1).time_since_epoch();

bool in_range(hc::WallTime time) {
  return time.time_since_epoch() >= kFirst && time.time_since_epoch() < kEnd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto parsed = hc::parse_timestamp(text)) {
    FUZZ_CHECK(in_range(*parsed), "accepted a time outside years 1..9999");
    FUZZ_CHECK(hc::parse_timestamp(hc::format_timestamp(*parsed)) == parsed,
               "parse(format(parse(text))) != parse(text)");
  }
  if (size >= sizeof(std::int64_t)) {
    std::int64_t raw = 0;
    std::memcpy(&raw, data, sizeof raw);
    const std::int64_t span = std::chrono::duration_cast<microseconds>(kEnd - kFirst).count();
    const std::int64_t offset = static_cast<std::int64_t>(static_cast<std::uint64_t>(raw) %
                                                          static_cast<std::uint64_t>(span));
    const hc::WallTime time(std::chrono::duration_cast<microseconds>(kFirst) +
                            microseconds(offset));
    const std::string formatted = hc::format_timestamp(time);
    FUZZ_CHECK(formatted.size() == 27, "formatted length");
    FUZZ_CHECK(hc::parse_timestamp(formatted) == time, "parse(format(t)) != t");
  }
  return 0;
}
