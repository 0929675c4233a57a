#include "table_schema.h"

#include "event_columns.h"
#include "measurement_columns.h"

namespace hc::store {
namespace {

constexpr const char* kSampleUrl = "https://hc.invalid/table-check";

Row sample_measurement(WallTime now) {
  Measurement row;
  row.url = kSampleUrl;
  row.url_digest = std::string(64, '0');
  row.measured_at = now;
  row.status_code = 200;
  row.response_time_us = 1;
  row.producer = "hc:table-check";
  return row;
}

Row sample_event(WallTime now) {
  EventRow row;
  row.url_digest = std::string(64, '0');
  row.event.url = kSampleUrl;
  row.event.from = SiteStatus::kUp;
  row.event.to = SiteStatus::kDown;
  row.event.at = now;
  row.event.since = now;
  row.event.previous_duration_s = 0;
  row.event.cause = StateCause{{"status"}, "unexpected_status", "HTTP 500", 500};
  row.event.producer = "hc:table-check";
  return row;
}

const TableSchema kMeasurements{
    RouteKind::kMeasurements,
    measurement_columns(),
    &table_migrations,
    [](const Row& row) { return std::holds_alternative<Measurement>(row); },
    [](std::string& out, const Row& row) {
      append_measurement_copy_row(out, std::get<Measurement>(row));
    },
    &sample_measurement,
};

const TableSchema kEvents{
    RouteKind::kEvents,
    event_columns(),
    &event_table_migrations,
    [](const Row& row) { return std::holds_alternative<EventRow>(row); },
    [](std::string& out, const Row& row) { append_event_copy_row(out, std::get<EventRow>(row)); },
    &sample_event,
};

}  // namespace

const TableSchema& table_schema(RouteKind kind) {
  return kind == RouteKind::kEvents ? kEvents : kMeasurements;
}

}  // namespace hc::store

namespace hc {

void append_copy_row(std::string& out, const Row& row) {
  store::table_schema(std::holds_alternative<EventRow>(row) ? RouteKind::kEvents
                                                            : RouteKind::kMeasurements)
      .append_copy_row(out, row);
}

std::size_t column_count(RouteKind kind) { return store::table_schema(kind).columns.size(); }

}  // namespace hc
