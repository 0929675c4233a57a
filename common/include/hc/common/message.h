// Message v1: the JSON value the producer publishes for each check (key = URL bytes).
//
// Forward compatible: the decoder ignores unknown fields. A missing required field, a
// wrong type, bad JSON or an unknown version "v" is a DecodeError: the consumer treats
// such a message as poison (dead-letter topic).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hc {

using WallTime = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

// Phases of one check, each from the start of the check, in microseconds (curl's
// *_TIME_T values). Absent when the check ended before that phase.
struct CheckTimings {
  std::optional<std::int64_t> dns_us;
  std::optional<std::int64_t> connect_us;
  std::optional<std::int64_t> tls_us;
  std::optional<std::int64_t> ttfb_us;

  bool operator==(const CheckTimings&) const = default;
};

// One measurement. A failed check (DNS, refused, timeout, TLS) is still a measurement:
// status_code is empty and error names the class.
struct Measurement {
  std::string url;
  std::string url_digest;  // lowercase hex SHA-256 of url
  WallTime measured_at;    // when the check started, UTC, microsecond precision
  std::optional<int> status_code;
  std::int64_t response_time_us = 0;
  CheckTimings timings;
  // A transport failure: "timeout", "dns", "connect", "tls", "http", "internal"; or
  // "unexpected_status" when a response's status is not an expected one. nullopt otherwise
  // (older producers also wrote "body_too_large").
  std::optional<std::string> error;
  std::string error_detail;
  std::optional<std::string> regex;  // the configured pattern, if any
  std::optional<bool> regex_match;   // nullopt when no regex or no body to search
  // The verdict: every condition held. nullopt in messages of producers that predate it.
  std::optional<bool> healthy;
  // Short names of the conditions that failed ("status", "response_time", "cert_days",
  // "regex", "regex_absent", "header:<Name>", "body_bytes"), in that order.
  std::vector<std::string> failed_conditions;
  std::int64_t body_bytes = 0;
  bool body_truncated = false;  // the body was longer than the bytes searched by the regex
  std::optional<WallTime> cert_expires_at;  // https only
  std::string producer;                     // "host:pid"

  bool operator==(const Measurement&) const = default;
};

inline constexpr int kMessageVersion = 1;

std::string encode_message(const Measurement& measurement);

struct DecodeError {
  std::string reason;  // short kind, e.g. "bad_json", "missing_field", "wrong_type", "bad_version"
  std::string detail;  // human-readable, names the field
};

// Decodes message v1, reusing its parser's buffers from call to call. Not thread-safe:
// one per thread on hot paths (the consumer's decode threads).
class MessageDecoder {
 public:
  MessageDecoder();
  ~MessageDecoder();
  MessageDecoder(MessageDecoder&&) noexcept;
  MessageDecoder& operator=(MessageDecoder&&) noexcept;

  // Returns the measurement or why the bytes are not a valid v1 message.
  std::variant<Measurement, DecodeError> decode(std::string_view json_bytes);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// One-off decode (a fresh decoder per call).
std::variant<Measurement, DecodeError> decode_message(std::string_view json_bytes);

// RFC 3339 UTC with microseconds: "2026-11-23T10:00:00.123456Z".
std::string format_timestamp(WallTime time);
std::optional<WallTime> parse_timestamp(std::string_view text);

}  // namespace hc
