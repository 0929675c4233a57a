#include "copy_text.h"

#include <fmt/format.h>

#include <optional>

namespace hc::consumer {
namespace {

constexpr std::string_view kNull = "\\N";

template <typename Int>
void append_number(std::string& out, Int value) {
  fmt::format_int digits(value);
  out.append(digits.data(), digits.size());
}

template <typename Int>
void append_optional(std::string& out, const std::optional<Int>& value) {
  if (value) {
    append_number(out, *value);
  } else {
    out.append(kNull);
  }
}

}  // namespace

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

void append_copy_row(std::string& out, const Measurement& row) {
  // url_digest is 64 hex digits (checked by the decoder): bytea hex input, its
  // backslash escaped for COPY.
  out.append("\\\\x");
  out.append(row.url_digest);
  out.push_back('\t');
  out.append(format_timestamp(row.measured_at));
  out.push_back('\t');
  append_number(out, row.response_time_us);
  out.push_back('\t');
  append_copy_escaped(out, row.url);
  out.push_back('\t');
  append_optional(out, row.status_code);
  out.append(row.regex ? "\tt\t" : "\tf\t");
  out.append(row.regex_match ? (*row.regex_match ? "t" : "f") : kNull);
  out.push_back('\t');
  if (row.error) {
    append_copy_escaped(out, *row.error);
  } else {
    out.append(kNull);
  }
  out.push_back('\t');
  if (!row.error_detail.empty()) {
    append_copy_escaped(out, row.error_detail);
  } else {
    out.append(kNull);
  }
  for (const auto* phase :
       {&row.timings.dns_us, &row.timings.connect_us, &row.timings.tls_us, &row.timings.ttfb_us}) {
    out.push_back('\t');
    append_optional(out, *phase);
  }
  out.push_back('\t');
  append_number(out, row.body_bytes);
  out.push_back('\t');
  if (row.cert_expires_at) {
    out.append(format_timestamp(*row.cert_expires_at));
  } else {
    out.append(kNull);
  }
  out.push_back('\n');
}

}  // namespace hc::consumer
