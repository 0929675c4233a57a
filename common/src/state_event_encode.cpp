// State-change event v1: state names and the encoder (state_event.h).
#include <array>

#include "hc/common/state_event.h"
#include "json_writer.h"

namespace hc {
namespace {

constexpr std::array<std::string_view, 3> kStatusNames = {"unknown", "up", "down"};

}  // namespace

std::string_view status_name(SiteStatus status) {
  return kStatusNames.at(static_cast<std::size_t>(status));
}

std::optional<SiteStatus> parse_status(std::string_view name) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<SiteStatus>(i);
  }
  return std::nullopt;
}

std::string encode_state_event(const StateEvent& event) {
  constexpr std::size_t kFixedBytes = 400;  // names, timestamps, numbers
  const std::size_t cause_bytes = event.cause ? event.cause->error_detail.size() + 64 : 0;
  json_detail::JsonWriter json(kFixedBytes + event.url.size() + cause_bytes +
                               event.producer.size());
  json.field("type", kStateEventType);
  json.field("v", std::int64_t{kStateEventVersion});
  json.field("url", event.url);
  json.field("from", status_name(event.from));
  json.field("to", status_name(event.to));
  json.field("at", format_timestamp(event.at));
  if (event.cause) {
    json.open_object("cause");
    json.field("failed_conditions", event.cause->failed_conditions);
    json.field("error", event.cause->error);
    json.field("error_detail", event.cause->error_detail);
    json.field("status_code", event.cause->status_code);
    json.close_object();
  } else {
    json.field("cause", std::optional<std::string>());
  }
  json.field("since", event.since ? std::optional<std::string>(format_timestamp(*event.since))
                                  : std::nullopt);
  json.field("previous_duration_s", event.previous_duration_s);
  json.field("producer", event.producer);
  return std::move(json).finish();
}

}  // namespace hc
