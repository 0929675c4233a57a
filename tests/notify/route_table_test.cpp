#include "route_table.h"

#include <gtest/gtest.h>

namespace hc::notify {
namespace {

StateEvent change(const std::string& url, SiteStatus from, SiteStatus to) {
  StateEvent event;
  event.url = url;
  event.from = from;
  event.to = to;
  return event;
}

NotifyConfig config(RouteMode mode) {
  NotifyConfig config;
  config.route_mode = mode;
  for (const char* name : {"a", "b", "c"}) {
    config.channels.emplace_back();
    config.channels.back().name = name;
  }
  NotifyRoute shop;
  shop.url_regex = "shop\\.test";
  shop.channels = {"b"};
  shop.transitions = default_transitions();
  NotifyRoute tcp;
  tcp.check_types = {"tcp"};
  tcp.topics = {"infra.events"};
  tcp.channels = {"c"};
  tcp.transitions = {{"*", "*"}};
  NotifyRoute everything;
  everything.channels = {"a", "b"};
  everything.transitions = default_transitions();
  config.routes = {shop, tcp, everything};
  return config;
}

TEST(RouteTable, FirstModeTakesTheFirstMatchingRouteOnly) {
  const NotifyConfig first = config(RouteMode::kFirst);
  RouteTable routes(first);
  EXPECT_EQ(
      routes.channels_for("e", change("https://shop.test/", SiteStatus::kUp, SiteStatus::kDown)),
      (std::vector<std::size_t>{1}));
  EXPECT_EQ(
      routes.channels_for("e", change("https://blog.test/", SiteStatus::kUp, SiteStatus::kDown)),
      (std::vector<std::size_t>{0, 1}));
}

TEST(RouteTable, AllModeTakesTheUnionInChannelOrder) {
  const NotifyConfig all = config(RouteMode::kAll);
  RouteTable routes(all);
  EXPECT_EQ(routes.channels_for("infra.events",
                                change("tcp://db.test:5432", SiteStatus::kUp, SiteStatus::kDown)),
            (std::vector<std::size_t>{0, 1, 2}));
}

TEST(RouteTable, TopicCheckTypeAndTransitionsMustAllHold) {
  const NotifyConfig all = config(RouteMode::kAll);
  RouteTable routes(all);
  // tcp route: wrong topic.
  EXPECT_EQ(routes.channels_for("healthcheck.events",
                                change("tcp://db.test:5432", SiteStatus::kUp, SiteStatus::kDown)),
            (std::vector<std::size_t>{0, 1}));
  // unknown -> up is in no default transition; the tcp route takes every one.
  EXPECT_TRUE(routes
                  .channels_for("healthcheck.events",
                                change("https://x.test/", SiteStatus::kUnknown, SiteStatus::kUp))
                  .empty());
  EXPECT_EQ(routes.channels_for("infra.events",
                                change("tcp://db.test:1", SiteStatus::kUnknown, SiteStatus::kUp)),
            (std::vector<std::size_t>{2}));
}

TEST(RouteTable, CheckTypeComesFromTheScheme) {
  EXPECT_EQ(check_type_of("https://x.test/"), "http");
  EXPECT_EQ(check_type_of("HTTP://x.test/"), "http");
  EXPECT_EQ(check_type_of("dns://127.0.0.1:53/x.test?type=A"), "dns");
  EXPECT_EQ(check_type_of("nothing"), "");
}

}  // namespace
}  // namespace hc::notify
