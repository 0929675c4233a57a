#include "message_template.h"

#include <fmt/format.h>

#include "summary_text.h"

namespace hc::notify {
namespace {

std::string percent_encode(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::optional<std::string> field_value(std::string_view name, const Notification& notification,
                                       std::string_view public_url) {
  const StateEvent& event = notification.event;
  if (name == "url") return event.url;
  if (name == "from") return std::string(status_name(event.from));
  if (name == "to") return std::string(status_name(event.to));
  if (name == "at") return format_timestamp(event.at);
  if (name == "since") return event.since ? format_timestamp(*event.since) : "";
  if (name == "duration") {
    return event.previous_duration_s ? format_duration(*event.previous_duration_s) : "";
  }
  if (name == "cause") {
    if (!event.cause) return "";
    std::string cause = event.cause->error.value_or("unhealthy");
    if (!event.cause->error_detail.empty()) cause += ": " + event.cause->error_detail;
    return cause;
  }
  if (name == "failed_conditions") {
    return event.cause ? fmt::format("{}", fmt::join(event.cause->failed_conditions, ", ")) : "";
  }
  if (name == "event_id") return notification.event_id;
  if (name == "page") {
    if (public_url.empty()) return "";
    std::string base(public_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/api/v1/sites/" + percent_encode(event.url) + "/history";
  }
  return std::nullopt;
}

}  // namespace

std::string render_template(std::string_view text, const Notification& notification,
                            std::string_view public_url, const Escaper& escape) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "{{" || text.substr(i, 2) == "}}") {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i);
      if (close != std::string_view::npos) {
        const auto value = field_value(text.substr(i + 1, close - i - 1), notification, public_url);
        if (value) {
          out += escape(*value);
          i = close;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::string no_escaping(std::string_view text) { return std::string(text); }

std::string slack_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace hc::notify
