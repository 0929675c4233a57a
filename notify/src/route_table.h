// Which channels an event goes to: the config's routes, compiled once.
//
// A route matches when every condition it states holds: url_regex found in the URL, the
// event's topic among `topic`, its check type (from the URL's scheme) among `check_type`,
// and its from->to among `transitions`. route_mode first: the channels of the first matching
// route; all: the union of every matching route's channels. Each channel appears once, in
// the order of the config's channels.
//
// Thread: any after construction (read-only).
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hc/common/notify_config.h"
#include "hc/common/state_event.h"

namespace hc::notify {

// "http" for http(s) URLs, else the scheme ("tcp", "tls", "dns", "icmp"); "" without one.
std::string check_type_of(std::string_view url);

class RouteTable {
 public:
  // REQUIRES: config valid (every route's channels exist, regexes compile).
  explicit RouteTable(const NotifyConfig& config);

  // Indexes into config.channels.
  std::vector<std::size_t> channels_for(std::string_view topic, const StateEvent& event) const;

 private:
  struct CompiledRoute {
    const NotifyRoute* route;
    std::unique_ptr<RE2> url_regex;  // null: any URL
    std::vector<std::size_t> channels;
  };
  bool matches(const CompiledRoute& route, std::string_view topic, const StateEvent& event) const;

  const NotifyConfig& config_;
  std::vector<CompiledRoute> routes_;
};

}  // namespace hc::notify
