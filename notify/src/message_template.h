// Per-channel message templates: `{name}` fields replaced by the event's values, each value
// escaped for the channel's format (the template's own text is kept as written, so it may use
// the format's markup: *bold* in Slack, <b> in HTML mail).
//
//   {url} {from} {to} {at} {since} {duration} {cause} {failed_conditions} {event_id} {page}
//
// {duration}: how long the previous state lasted ("3m 20s"; "" from unknown); {cause}: the
// error and its detail ("unexpected_status: HTTP 500"; "" on a change to up); {page}: the
// site's history on `hc serve` (public_url + /api/v1/sites/<URL, percent-encoded>/history;
// "" without public_url). `{{` and `}}` are literal braces. The config refuses unknown names
// (hc/common/template_fields.h); here one would be kept as written.
//
// Thread: any (pure).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "notification.h"

namespace hc::notify {

using Escaper = std::function<std::string(std::string_view)>;

std::string render_template(std::string_view text, const Notification& notification,
                            std::string_view public_url, const Escaper& escape);

// Escapers of the formats.
std::string no_escaping(std::string_view text);
std::string slack_escape(std::string_view text);  // & < > as Slack's mrkdwn requires
std::string html_escape(std::string_view text);   // & < > " '

}  // namespace hc::notify
