#include "hc/store/row.h"

namespace hc {

std::string_view row_url_digest(const Row& row) {
  if (const auto* event = std::get_if<EventRow>(&row)) return event->url_digest;
  return std::get<Measurement>(row).url_digest;
}

WallTime row_time(const Row& row) {
  if (const auto* event = std::get_if<EventRow>(&row)) return event->event.at;
  return std::get<Measurement>(row).measured_at;
}

const std::string& row_url(const Row& row) {
  if (const auto* event = std::get_if<EventRow>(&row)) return event->event.url;
  return std::get<Measurement>(row).url;
}

std::string encode_row(const Row& row) {
  if (const auto* event = std::get_if<EventRow>(&row)) return encode_state_event(event->event);
  return encode_message(std::get<Measurement>(row));
}

}  // namespace hc
