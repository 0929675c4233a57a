#include "route_table.h"

#include <algorithm>
#include <stdexcept>

namespace hc::notify {
namespace {

bool state_matches(std::string_view pattern, SiteStatus status) {
  return pattern == "*" || pattern == status_name(status);
}

}  // namespace

std::string check_type_of(std::string_view url) {
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return "";
  std::string scheme(url.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme == "https") return "http";
  return scheme;
}

RouteTable::RouteTable(const NotifyConfig& config) : config_(config) {
  for (const NotifyRoute& route : config.routes) {
    CompiledRoute compiled{&route, nullptr, {}};
    if (route.url_regex) {
      RE2::Options options;
      options.set_log_errors(false);
      compiled.url_regex = std::make_unique<RE2>(*route.url_regex, options);
      if (!compiled.url_regex->ok()) {
        throw std::invalid_argument("url_regex does not compile: " + compiled.url_regex->error());
      }
    }
    for (const std::string& name : route.channels) {
      auto found = std::find_if(config.channels.begin(), config.channels.end(),
                                [&](const NotifyChannel& channel) { return channel.name == name; });
      if (found == config.channels.end()) throw std::invalid_argument("no channel " + name);
      compiled.channels.push_back(static_cast<std::size_t>(found - config.channels.begin()));
    }
    routes_.push_back(std::move(compiled));
  }
}

bool RouteTable::matches(const CompiledRoute& compiled, std::string_view topic,
                         const StateEvent& event) const {
  const NotifyRoute& route = *compiled.route;
  if (compiled.url_regex && !RE2::PartialMatch(event.url, *compiled.url_regex)) return false;
  if (!route.topics.empty() &&
      std::find(route.topics.begin(), route.topics.end(), topic) == route.topics.end()) {
    return false;
  }
  if (!route.check_types.empty() &&
      std::find(route.check_types.begin(), route.check_types.end(), check_type_of(event.url)) ==
          route.check_types.end()) {
    return false;
  }
  return std::any_of(
      route.transitions.begin(), route.transitions.end(), [&](const TransitionPattern& transition) {
        return state_matches(transition.from, event.from) && state_matches(transition.to, event.to);
      });
}

std::vector<std::size_t> RouteTable::channels_for(std::string_view topic,
                                                  const StateEvent& event) const {
  std::vector<bool> chosen(config_.channels.size(), false);
  for (const CompiledRoute& route : routes_) {
    if (!matches(route, topic, event)) continue;
    for (std::size_t channel : route.channels) chosen[channel] = true;
    if (config_.route_mode == RouteMode::kFirst) break;
  }
  std::vector<std::size_t> channels;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) channels.push_back(i);
  }
  return channels;
}

}  // namespace hc::notify
