#include "event_columns.h"

#include <array>

#include "hc/store/copy_text.h"

namespace hc::store {
namespace {

struct EventColumn {
  ColumnSpec spec;
  void (*append_field)(std::string& out, const EventRow& row);  // COPY text of the field
};

// Cause fields: NULL when the event has none (a change to "up").
template <typename Field>
void append_cause_field(std::string& out, const EventRow& row, Field field) {
  if (!row.event.cause) {
    out.append(kCopyNull);
  } else {
    field(*row.event.cause);
  }
}

// Never edit a released entry (see ColumnSpec).
constexpr auto kColumns = std::to_array<EventColumn>({
    {{"url_digest", "bytea", 1, true},
     [](std::string& out, const EventRow& row) {
       out.append("\\\\x");  // bytea hex input, its backslash escaped for COPY
       out.append(row.url_digest);
     }},
    {{"at", "timestamptz", 1, true},
     [](std::string& out, const EventRow& row) { append_timestamp(out, row.event.at); }},
    {{"url", "text", 1},
     [](std::string& out, const EventRow& row) { append_copy_escaped(out, row.event.url); }},
    {{"from_state", "text", 1},
     [](std::string& out, const EventRow& row) { out.append(status_name(row.event.from)); }},
    {{"to_state", "text", 1},
     [](std::string& out, const EventRow& row) { out.append(status_name(row.event.to)); }},
    {{"since", "timestamptz", 1},
     [](std::string& out, const EventRow& row) { append_copy_optional(out, row.event.since); }},
    {{"previous_duration_s", "bigint", 1},
     [](std::string& out, const EventRow& row) {
       append_copy_optional(out, row.event.previous_duration_s);
     }},
    {{"failed_conditions", "text[]", 1},
     [](std::string& out, const EventRow& row) {
       append_cause_field(out, row, [&out](const StateCause& cause) {
         append_copy_text_array(out, cause.failed_conditions);
       });
     }},
    {{"error", "text", 1},
     [](std::string& out, const EventRow& row) {
       append_cause_field(
           out, row, [&out](const StateCause& cause) { append_copy_optional(out, cause.error); });
     }},
    {{"error_detail", "text", 1},
     [](std::string& out, const EventRow& row) {
       append_cause_field(out, row, [&out](const StateCause& cause) {
         append_copy_text_or_null(out, cause.error_detail);
       });
     }},
    {{"status_code", "int", 1},
     [](std::string& out, const EventRow& row) {
       append_cause_field(out, row, [&out](const StateCause& cause) {
         append_copy_optional(out, cause.status_code);
       });
     }},
    {{"producer", "text", 1},
     [](std::string& out, const EventRow& row) {
       append_copy_text_or_null(out, row.event.producer);
     }},
});

constexpr auto kSpecs = [] {
  std::array<ColumnSpec, kColumns.size()> specs{};
  for (std::size_t i = 0; i < kColumns.size(); ++i) specs[i] = kColumns[i].spec;
  return specs;
}();

}  // namespace

TableColumns event_columns() { return kSpecs; }

void append_event_copy_row(std::string& out, const EventRow& row) {
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) out.push_back('\t');
    kColumns[i].append_field(out, row);
  }
  out.push_back('\n');
}

}  // namespace hc::store
