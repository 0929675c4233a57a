// The field names a channel's `template` may use ({url}, {cause}, ...): checked by the config,
// filled in by hc_notify (notify/src/message_template.h says what each holds).
#pragma once

#include <array>
#include <string_view>

namespace hc {

inline constexpr std::array<std::string_view, 10> kTemplateFields = {
    "url",      "from", "to", "at", "since", "duration", "cause", "failed_conditions",
    "event_id", "page"};

}  // namespace hc
