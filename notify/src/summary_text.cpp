#include "summary_text.h"

#include <fmt/format.h>

namespace hc::notify {

std::string format_duration(std::int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m {}s", seconds / 60, seconds % 60);
  if (seconds < 86400) return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
  return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string summary_text(const Notification& notification) {
  const StateEvent& event = notification.event;
  std::string status(status_name(event.to));
  for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string text = status + " " + event.url;
  std::vector<std::string> details;
  if (event.cause) {
    std::string cause = event.cause->error.value_or("unhealthy");
    if (!event.cause->error_detail.empty()) cause += ": " + event.cause->error_detail;
    details.push_back(cause);
    if (!event.cause->failed_conditions.empty()) {
      details.push_back("failed: " +
                        fmt::format("{}", fmt::join(event.cause->failed_conditions, ", ")));
    }
  }
  if (event.previous_duration_s && event.from != SiteStatus::kUnknown) {
    details.push_back(fmt::format("was {} {}", status_name(event.from),
                                  format_duration(*event.previous_duration_s)));
  }
  if (!details.empty()) text += " (" + fmt::format("{}", fmt::join(details, "; ")) + ")";
  return text;
}

}  // namespace hc::notify
