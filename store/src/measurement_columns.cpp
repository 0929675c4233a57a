#include "measurement_columns.h"

#include <array>
#include <optional>

#include "hc/store/copy_text.h"

namespace hc::store {
namespace {

using Row = Measurement;

struct MeasurementColumn {
  ColumnSpec spec;
  void (*append_field)(std::string& out, const Row& row);  // COPY text of the field
};

// The measurements table. Migration 1 is the seed's seven-column table, so a table the seed
// created upgrades like a new one. Never edit a released entry (see ColumnSpec).
constexpr auto kColumns = std::to_array<MeasurementColumn>({
    {{"url_digest", "bytea", 1, true},
     [](std::string& out, const Row& row) {
       // 64 hex digits (checked by the decoder): bytea hex input, its backslash escaped.
       out.append("\\\\x");
       out.append(row.url_digest);
     }},
    {{"measurement_time", "timestamptz", 1, true},
     [](std::string& out, const Row& row) { append_timestamp(out, row.measured_at); }},
    {{"response_time_microseconds", "bigint", 1},
     [](std::string& out, const Row& row) { append_copy_integer(out, row.response_time_us); }},
    {{"uri", "text", 1},
     [](std::string& out, const Row& row) { append_copy_escaped(out, row.url); }},
    {{"status_code", "int", 1},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.status_code); }},
    {{"regex_present", "bool", 1},
     [](std::string& out, const Row& row) { append_copy_bool(out, row.regex.has_value()); }},
    {{"regex_match", "bool", 1},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.regex_match); }},
    {{"error", "text", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.error); }},
    {{"error_detail", "text", 2},
     [](std::string& out, const Row& row) { append_copy_text_or_null(out, row.error_detail); }},
    {{"dns_us", "bigint", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.timings.dns_us); }},
    {{"connect_us", "bigint", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.timings.connect_us); }},
    {{"tls_us", "bigint", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.timings.tls_us); }},
    {{"ttfb_us", "bigint", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.timings.ttfb_us); }},
    {{"body_bytes", "bigint", 2},
     [](std::string& out, const Row& row) { append_copy_integer(out, row.body_bytes); }},
    {{"cert_expires_at", "timestamptz", 2},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.cert_expires_at); }},
    // NULL in rows from producers that predate the verdict (and in rows written before
    // migration 4); the `up` of such rows is the older rule (hc_measurement_up).
    {{"healthy", "boolean", 4},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.healthy); }},
    {{"failed_conditions", "text[]", 4},
     [](std::string& out, const Row& row) { append_copy_text_array(out, row.failed_conditions); }},
    {{"body_truncated", "boolean", 4},
     [](std::string& out, const Row& row) { append_copy_bool(out, row.body_truncated); }},
    {{"attempts", "smallint", 4},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.attempts); }},
    // 'http' for messages without check_type (http checks, older producers).
    {{"check_type", "text", 8},
     [](std::string& out, const Row& row) {
       append_copy_escaped(out, row.check_type ? *row.check_type : std::string_view("http"));
     }},
    {{"tls_version", "text", 8},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.tls_version); }},
    {{"tls_cipher", "text", 8},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.tls_cipher); }},
    {{"chain_valid", "boolean", 8},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.chain_valid); }},
    {{"chain_expires_at", "timestamptz", 8},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.chain_expires_at); }},
    {{"dns_rcode", "text", 8},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.dns_rcode); }},
    // NULL unless a dns check (an empty list is a dns check without answers).
    {{"dns_answers", "text[]", 8},
     [](std::string& out, const Row& row) {
       if (row.check_type && *row.check_type == "dns") {
         append_copy_text_array(out, row.dns_answers);
       } else {
         out.append("\\N");
       }
     }},
    {{"address", "text", 9},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.address); }},
    // icmp checks only (NULL otherwise; the RTTs NULL too when no reply arrived).
    {{"rtt_min_us", "bigint", 10},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.rtt_min_us); }},
    {{"rtt_avg_us", "bigint", 10},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.rtt_avg_us); }},
    {{"rtt_max_us", "bigint", 10},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.rtt_max_us); }},
    {{"loss_percent", "smallint", 10},
     [](std::string& out, const Row& row) { append_copy_optional(out, row.loss_percent); }},
});

constexpr auto kSpecs = [] {
  std::array<ColumnSpec, kColumns.size()> specs{};
  for (std::size_t i = 0; i < kColumns.size(); ++i) specs[i] = kColumns[i].spec;
  return specs;
}();

}  // namespace

TableColumns measurement_columns() { return kSpecs; }

void append_measurement_copy_row(std::string& out, const Measurement& row) {
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) out.push_back('\t');
    kColumns[i].append_field(out, row);
  }
  out.push_back('\n');
}

}  // namespace hc::store
