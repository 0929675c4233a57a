#include "hc/common/message.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace hc {
namespace {

using nlohmann::json;

json optional_int(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

// Reads one field of the decoded object; the error names the field and the expected type.
class FieldReader {
 public:
  explicit FieldReader(const json& object) : object_(object) {}

  const std::optional<DecodeError>& error() const { return error_; }

  // Required field of JSON type `kind`; records an error and returns nullptr if absent/wrong.
  const json* required(const char* name, json::value_t kind, const char* kind_name) {
    auto it = object_.find(name);
    if (it == object_.end()) {
      fail("missing_field", fmt::format("required field '{}' is missing", name));
      return nullptr;
    }
    return typed(*it, name, kind, kind_name, /*nullable=*/false);
  }
  // Field that may be absent or null; nullptr for both.
  const json* optional(const char* name, json::value_t kind, const char* kind_name) {
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return nullptr;
    return typed(*it, name, kind, kind_name, /*nullable=*/true);
  }

  void fail(const char* reason, std::string detail) {
    if (!error_) error_ = DecodeError{reason, std::move(detail)};
  }

 private:
  const json* typed(const json& value, const char* name, json::value_t kind, const char* kind_name,
                    bool nullable) {
    bool matches =
        kind == json::value_t::number_integer ? value.is_number_integer() : value.type() == kind;
    if (!matches) {
      fail("wrong_type", fmt::format("field '{}' must be {}{}, got {}", name, kind_name,
                                     nullable ? " or null" : "", value.type_name()));
      return nullptr;
    }
    return &value;
  }

  const json& object_;
  std::optional<DecodeError> error_;
};

}  // namespace

std::string format_timestamp(WallTime time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  auto micros = (time - seconds).count();
  std::time_t as_time_t = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&as_time_t, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
}

std::optional<WallTime> parse_timestamp(std::string_view text) {
  // Accepts "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": what format_timestamp writes.
  auto number = [&](std::size_t pos, std::size_t len, int& out) {
    if (pos + len > text.size()) return false;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
    return ec == std::errc() && end == text.data() + pos + len;
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text.back() != 'Z' || !number(0, 4, year) || !number(5, 2, month) ||
      !number(8, 2, day) || !number(11, 2, hour) || !number(14, 2, minute) ||
      !number(17, 2, second)) {
    return std::nullopt;
  }
  std::int64_t micros = 0;
  std::size_t pos = 19;
  if (text[pos] == '.') {
    std::size_t digits = 0;
    for (++pos; pos < text.size() - 1; ++pos, ++digits) {
      char c = text[pos];
      if (c < '0' || c > '9' || digits >= 9) return std::nullopt;
      if (digits < 6) micros = micros * 10 + (c - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 6; ++digits) micros *= 10;
  }
  if (pos != text.size() - 1) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                   std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  auto days = std::chrono::sys_days(date);
  return WallTime(std::chrono::duration_cast<std::chrono::microseconds>(
                      days.time_since_epoch() + std::chrono::hours(hour) +
                      std::chrono::minutes(minute) + std::chrono::seconds(second)) +
                  std::chrono::microseconds(micros));
}

std::string encode_message(const Measurement& m) {
  json timings = {{"dns", optional_int(m.timings.dns_us)},
                  {"connect", optional_int(m.timings.connect_us)},
                  {"tls", optional_int(m.timings.tls_us)},
                  {"ttfb", optional_int(m.timings.ttfb_us)}};
  json out = {
      {"v", kMessageVersion},
      {"url", m.url},
      {"url_digest", m.url_digest},
      {"measured_at", format_timestamp(m.measured_at)},
      {"status_code", m.status_code ? json(*m.status_code) : json(nullptr)},
      {"response_time_us", m.response_time_us},
      {"timings_us", std::move(timings)},
      {"error", m.error ? json(*m.error) : json(nullptr)},
      {"error_detail", m.error_detail},
      {"regex", m.regex ? json(*m.regex) : json(nullptr)},
      {"regex_match", m.regex_match ? json(*m.regex_match) : json(nullptr)},
      {"body_bytes", m.body_bytes},
      {"cert_expires_at",
       m.cert_expires_at ? json(format_timestamp(*m.cert_expires_at)) : json(nullptr)},
      {"producer", m.producer},
  };
  // Invalid UTF-8 (e.g. in error_detail copied from a server) is replaced, never thrown.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::variant<Measurement, DecodeError> decode_message(std::string_view json_bytes) {
  json root = json::parse(json_bytes, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return DecodeError{"bad_json", "value is not valid JSON"};
  if (!root.is_object()) {
    return DecodeError{"wrong_type",
                       fmt::format("value must be a JSON object, got {}", root.type_name())};
  }
  using T = json::value_t;
  FieldReader reader(root);
  Measurement m;
  if (const json* v = reader.required("v", T::number_integer, "an integer")) {
    if (v->get<std::int64_t>() != kMessageVersion) {
      return DecodeError{"bad_version", fmt::format("unsupported message version {}", v->dump())};
    }
  }
  if (const json* v = reader.required("url", T::string, "a string")) m.url = v->get<std::string>();
  if (const json* v = reader.required("url_digest", T::string, "a string")) {
    m.url_digest = v->get<std::string>();
    bool hex64 = m.url_digest.size() == 64 &&
                 m.url_digest.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex64) reader.fail("wrong_type", "field 'url_digest' must be 64 lowercase hex digits");
  }
  if (const json* v = reader.required("measured_at", T::string, "an RFC 3339 UTC string")) {
    auto parsed = parse_timestamp(v->get_ref<const std::string&>());
    if (parsed) {
      m.measured_at = *parsed;
    } else {
      reader.fail("wrong_type",
                  fmt::format("field 'measured_at' is not an RFC 3339 UTC time: {}", v->dump()));
    }
  }
  if (const json* v = reader.optional("status_code", T::number_integer, "an integer")) {
    auto code = v->get<std::int64_t>();
    if (code < 0 || code > 999) reader.fail("wrong_type", "field 'status_code' out of range");
    m.status_code = static_cast<int>(code);
  }
  if (const json* v = reader.required("response_time_us", T::number_integer, "an integer")) {
    m.response_time_us = v->get<std::int64_t>();
  }
  if (const json* v = reader.optional("timings_us", T::object, "an object")) {
    FieldReader timings(*v);
    auto phase = [&](const char* name, std::optional<std::int64_t>& out) {
      if (const json* t = timings.optional(name, T::number_integer, "an integer")) {
        out = t->get<std::int64_t>();
      }
    };
    phase("dns", m.timings.dns_us);
    phase("connect", m.timings.connect_us);
    phase("tls", m.timings.tls_us);
    phase("ttfb", m.timings.ttfb_us);
    if (timings.error())
      reader.fail(timings.error()->reason.c_str(), "timings_us." + timings.error()->detail);
  }
  if (const json* v = reader.optional("error", T::string, "a string"))
    m.error = v->get<std::string>();
  if (const json* v = reader.optional("error_detail", T::string, "a string")) {
    m.error_detail = v->get<std::string>();
  }
  if (const json* v = reader.optional("regex", T::string, "a string"))
    m.regex = v->get<std::string>();
  if (const json* v = reader.optional("regex_match", T::boolean, "a boolean")) {
    m.regex_match = v->get<bool>();
  }
  if (const json* v = reader.optional("body_bytes", T::number_integer, "an integer")) {
    m.body_bytes = v->get<std::int64_t>();
  }
  if (const json* v = reader.optional("cert_expires_at", T::string, "an RFC 3339 UTC string")) {
    m.cert_expires_at = parse_timestamp(v->get_ref<const std::string&>());
    if (!m.cert_expires_at)
      reader.fail("wrong_type", "field 'cert_expires_at' is not an RFC 3339 UTC time");
  }
  if (const json* v = reader.optional("producer", T::string, "a string")) {
    m.producer = v->get<std::string>();
  }
  if (reader.error()) return *reader.error();
  return m;
}

}  // namespace hc
