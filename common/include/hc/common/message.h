// Message v1: the JSON value the producer publishes for each check (key = URL bytes).
//
// Forward compatible: the decoder ignores unknown fields. A missing required field, a
// wrong type, bad JSON, an unknown version "v", or a value no table can hold (see Poison)
// makes the message poison: the consumer sends it to the dead-letter topic.
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
  // "chain", "loss", "rcode", "expected", "regex" or (tcp) "expect", "regex_absent",
  // "header:<Name>", "body_bytes"), in that order.
  std::vector<std::string> failed_conditions;
  std::int64_t body_bytes = 0;
  bool body_truncated = false;  // the body was longer than the bytes searched by the regex
  // Checks made for this measurement: 1 + the retries used (issue 13's `retries`); the
  // timings and status are the final attempt's. nullopt from producers before retries.
  std::optional<int> attempts;
  std::optional<WallTime> cert_expires_at;  // https and tls: the leaf certificate's notAfter
  std::string producer;                     // "host:pid"
  // How late the producer's loop may have been for this check, in µs: the later of how late
  // the attempt started and the longest the loop was busy (or its thread without a CPU)
  // while the attempt ran. Timings within about this much of a slow answer may be the
  // checker's, not the site's. nullopt from producers that predate it.
  std::optional<std::int64_t> loop_lag_us;

  // The check type ("tcp", "tls", "dns", "icmp"; config.h CheckType); nullopt for http checks (then
  // the fields below are absent from the message) and from producers that predate check types. A
  // tcp check's `expect` is carried as regex/regex_match and its bytes received as body_bytes; its
  // connect time is timings.connect.
  std::optional<std::string> check_type;
  // tls checks: the protocol ("TLSv1.3") and cipher negotiated; whether the chain verified
  // (trust and name); the notAfter of the soonest-expiring certificate the server sent.
  std::optional<std::string> tls_version;
  std::optional<std::string> tls_cipher;
  std::optional<bool> chain_valid;
  std::optional<WallTime> chain_expires_at;
  // dns checks: the response code ("NOERROR", "NXDOMAIN", "SERVFAIL", ...; absent when no
  // response arrived) and the answers of the type asked for, as text ("192.0.2.1", "10
  // mail.example.test"), at most kMaxFailedConditions of at most kMaxConditionBytes each.
  std::optional<std::string> dns_rcode;
  std::vector<std::string> dns_answers;
  // The IP address the check connected to, as text ("127.0.0.1", "::1"): an http check's
  // final hop, a tcp or tls check's target. nullopt when it connected nowhere (a failed
  // lookup), for dns checks and from producers that predate it.
  std::optional<std::string> address;
  // icmp checks: the round-trip times of the echo replies received (min, mean, max; absent
  // when none arrived), and the percent of the echo requests left unanswered within the
  // timeout, rounded up (1 of 3 lost: 34), 0..100. response_time_us is rtt_avg_us.
  std::optional<std::int64_t> rtt_min_us;
  std::optional<std::int64_t> rtt_avg_us;
  std::optional<std::int64_t> rtt_max_us;
  std::optional<int> loss_percent;

  bool operator==(const Measurement&) const = default;
};

inline constexpr int kMessageVersion = 1;

// Bounds of failed_conditions that the decoder enforces (out_of_range beyond): far above any
// real list, they keep one message from filling a row with megabytes of names. The producer's
// config refuses conditions that could exceed them.
inline constexpr std::size_t kMaxFailedConditions = 64;
inline constexpr std::size_t kMaxConditionBytes = 256;

std::string encode_message(const Measurement& measurement);

// Why bytes cannot be stored as a measurement. reason is a short stable kind (it becomes
// the hc-dlq-reason header and a metric label); detail is for people and names the field.
struct Poison {
  std::string reason;
  std::string detail;
};

// The kinds the message decoder reports (the consumer's record checks add their own).
inline constexpr std::string_view kPoisonBadJson = "bad_json";
inline constexpr std::string_view kPoisonWrongType = "wrong_type";  // includes a bad url_digest
inline constexpr std::string_view kPoisonMissingField = "missing_field";
inline constexpr std::string_view kPoisonBadVersion = "bad_version";
// What PostgreSQL would refuse in a row, so the decoder refuses it first:
inline constexpr std::string_view kPoisonNulByte = "nul_byte";  // NUL (\u0000) in any text
inline constexpr std::string_view kPoisonBadUtf8 = "bad_utf8";  // text that is not UTF-8
// measured_at / cert_expires_at not "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" in years 0001..9999
inline constexpr std::string_view kPoisonBadTimestamp = "bad_timestamp";
// status_code outside 0..999; a duration or size negative or beyond bigint; attempts outside
// 1..100; loss_percent outside 0..100; failed_conditions with more than 64 elements or an element
// over 256 bytes
inline constexpr std::string_view kPoisonOutOfRange = "out_of_range";

// Decodes message v1, reusing its parser's buffers from call to call. Not thread-safe:
// one per thread on hot paths (the consumer's decode threads).
class MessageDecoder {
 public:
  MessageDecoder();
  ~MessageDecoder();
  MessageDecoder(MessageDecoder&&) noexcept;
  MessageDecoder& operator=(MessageDecoder&&) noexcept;

  // Returns the measurement (one PostgreSQL can store) or why the bytes are not one.
  std::variant<Measurement, Poison> decode(std::string_view json_bytes);

 private:
  struct Parser;
  std::unique_ptr<Parser> parser_;
};

// One-off decode (a fresh decoder per call).
std::variant<Measurement, Poison> decode_message(std::string_view json_bytes);

// RFC 3339 UTC with microseconds: "2026-11-23T10:00:00.123456Z".
// REQUIRES: time in years 0001..9999 (what parse_timestamp accepts).
std::string format_timestamp(WallTime time);
// Appends format_timestamp(time) to `out` (no string of its own: the consumer writes one per
// row). Same REQUIRES.
void append_timestamp(std::string& out, WallTime time);
// "YYYY-MM-DDTHH:MM:SS[.f]Z" with 1..9 fraction digits (microseconds kept), unsigned
// digits only, years 0001..9999; nullopt for anything else. parse(format(t)) == t.
std::optional<WallTime> parse_timestamp(std::string_view text);

}  // namespace hc
